/**
 * One run of the Concurrency Diagram CLI as a child process: spawns it with the user's Node,
 * streams its output, finds its summary line, and stops it on request. Pure Node: no `vscode`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

/** Prefix of the CLI's one-line summary on stderr (printed at the end of a run). */
export const SUMMARY_PREFIX = 'concurrency-diagram:';

/** How the CLI process ended. */
export interface CliExit {
  /** Exit code of the CLI (it passes the script's code through), or null when it died of a signal. */
  exitCode: number | null;
  /** Signal that ended the CLI itself, or null. */
  signal: string | null;
  /** True when {@link CliRun.stop} was called. */
  stopped: boolean;
  /** The CLI's last summary line (without trailing newline), or `''` when it printed none. */
  summary: string;
  /** Set when the process could not be started at all (e.g. ENOENT for a missing Node). */
  spawnError?: Error;
}

/** Spawn parameters of a {@link CliRun}. */
export interface CliRunOptions {
  /** Node executable. */
  node: string;
  /** Full argv after the executable (see runArguments.cliArguments). */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** When true, stdin is a pipe (terminal mode forwards typed input); else it is closed. */
  stdinPipe?: boolean;
}

/**
 * A running CLI. Events: `stdout` (string), `stderr` (string), `exit` ({@link CliExit}, once).
 */
export class CliRun extends EventEmitter {
  readonly child: ChildProcess;
  private stopRequested = false;
  private stderrTail = '';
  private summary = '';
  private lastLine = '';
  private killTimer: NodeJS.Timeout | undefined;
  private exited = false;
  /** Resolves with the exit, once. */
  readonly done: Promise<CliExit>;

  /** Starts the process immediately. */
  constructor(opts: CliRunOptions) {
    super();
    this.child = spawn(opts.node, opts.argv, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [opts.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (s: string) => this.emit('stdout', s));
    this.child.stderr?.on('data', (s: string) => {
      this.scanSummary(s);
      this.emit('stderr', s);
    });
    // A script that stops reading stdin must not crash the extension host with EPIPE.
    this.child.stdin?.on('error', () => {});
    this.done = new Promise((resolve) => {
      const finish = (x: CliExit) => {
        if (this.exited) return;
        this.exited = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        this.emit('exit', x);
        resolve(x);
      };
      this.child.on('error', (err) => finish({ exitCode: null, signal: null, stopped: this.stopRequested, summary: '', spawnError: err }));
      // 'close' (not 'exit') so that all output has been delivered first.
      this.child.on('close', (code, signal) => {
        this.scanSummary('\n');
        finish({ exitCode: code, signal, stopped: this.stopRequested, summary: this.summary });
      });
    });
  }

  /** The last non-empty line on stderr (the CLI's one-line error when it refused to run). */
  get lastStderrLine(): string {
    return this.lastLine;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return !this.exited;
  }

  /** Writes text to the script's stdin (terminal mode). */
  write(text: string): void {
    if (this.child.stdin && !this.child.stdin.destroyed) this.child.stdin.write(text);
  }

  /** Closes the script's stdin (Ctrl+D in terminal mode). */
  endInput(): void {
    this.child.stdin?.end();
  }

  /**
   * Asks the CLI to stop: SIGTERM, which it forwards to the script and escalates to SIGKILL itself.
   * Should the CLI not be gone after `graceMs`, it gets SIGKILL too, so Stop always ends the run.
   */
  stop(graceMs = 3000): void {
    if (this.exited) return;
    this.stopRequested = true;
    try {
      this.child.kill('SIGTERM');
    } catch {
      // Already gone.
    }
    this.killTimer ??= setTimeout(() => {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }, graceMs);
  }

  private scanSummary(s: string): void {
    const text = this.stderrTail + s;
    const lines = text.split('\n');
    this.stderrTail = lines.pop() ?? '';
    // Keep an unterminated tail bounded: a script printing a huge line must not grow it forever. Its
    // end is kept: the summary may come glued to it.
    if (this.stderrTail.length > 8192) this.stderrTail = this.stderrTail.slice(-8192);
    for (const l of lines) {
      const line = l.replace(/\r$/, '');
      // The script shares stderr with the CLI: when its last line has no newline, the summary is
      // glued to that line's end.
      const at = line.lastIndexOf(SUMMARY_PREFIX);
      if (at >= 0) this.summary = line.slice(at);
      if (line.trim() !== '') this.lastLine = line.slice(0, 500);
    }
  }
}
