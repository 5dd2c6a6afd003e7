/**
 * Where a run's stdout and stderr go: the "Concurrency Diagram" output channel, or an integrated
 * terminal that also forwards what the user types to the script (for interactive scripts).
 */
import * as vscode from 'vscode';
import type { CliRun } from './cliProcess';

/** A destination for one run's output. */
export interface RunOutput {
  /** Connects the running process. */
  attach(run: CliRun): void;
  /** A line from the extension itself (command line, exit status). */
  note(text: string): void;
}

/** Output into a shared output channel. */
export class ChannelOutput implements RunOutput {
  /** Uses (and shows, without taking focus) the given channel. */
  constructor(private readonly channel: vscode.OutputChannel) {}

  /** Streams stdout and stderr into the channel as they come. */
  attach(run: CliRun): void {
    this.channel.show(true);
    run.on('stdout', (s: string) => this.channel.append(s));
    run.on('stderr', (s: string) => this.channel.append(s));
  }

  /** Appends one line. */
  note(text: string): void {
    this.channel.appendLine(text);
  }
}

/**
 * Output into an integrated terminal backed by a pseudoterminal: we keep the process (so Stop, the
 * exit status and the summary line work the same) and give it a line-edited stdin.
 */
export class TerminalOutput implements RunOutput {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly terminal: vscode.Terminal;
  private run: CliRun | undefined;
  private line = '';
  private opened: Promise<void>;
  private markOpen: () => void = () => {};

  /** Creates and shows the terminal named after the script. */
  constructor(name: string) {
    this.opened = new Promise((r) => (this.markOpen = r));
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      open: () => this.markOpen(),
      close: () => this.run?.stop(),
      handleInput: (data) => this.input(data),
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('pulse') });
    this.terminal.show(true);
  }

  /** Streams the process output into the terminal. */
  attach(run: CliRun): void {
    this.run = run;
    run.on('stdout', (s: string) => this.write(s));
    run.on('stderr', (s: string) => this.write(s));
  }

  /** Writes one line of our own, dimmed. */
  note(text: string): void {
    this.write(`\x1b[2m${text}\x1b[0m\n`);
  }

  private write(s: string): void {
    // Terminals need CR LF; the script writes LF. Output before the terminal opened is queued.
    const t = s.replace(/\r?\n/g, '\r\n');
    void this.opened.then(() => this.writeEmitter.fire(t));
  }

  private input(data: string): void {
    const run = this.run;
    if (!run || !run.running) return;
    for (const ch of data) {
      if (ch === '\r') {
        this.writeEmitter.fire('\r\n');
        run.write(this.line + '\n');
        this.line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          this.writeEmitter.fire('\b \b');
        }
      } else if (ch === '\x03') {
        this.writeEmitter.fire('^C\r\n');
        run.stop();
      } else if (ch === '\x04') {
        run.write(this.line);
        this.line = '';
        run.endInput();
      } else if (ch >= ' ' || ch === '\t') {
        this.line += ch;
        this.writeEmitter.fire(ch);
      }
    }
  }
}
