/**
 * Entry point of the `concurrency-diagram` command (bundled to dist/cli.js). Bad input ends with one
 * line naming the problem and exit code 2; the script's own exit code passes through otherwise.
 */
import { writeSync } from 'node:fs';
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, helpText, parseArgs } from './args';
import { reportCommand } from './report';
import { runCommand } from './run';
import { toolVersion } from './version';

/** Writes synchronously: the CLI exits right after its last line, and pipes are asynchronous on Windows. */
function writeOut(fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // A closed stdout/stderr must not turn into a crash of the CLI.
  }
}

function log(line: string): void {
  writeOut(2, line + '\n');
}

async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case 'help':
        writeOut(1, helpText(cmd.topic));
        return 0;
      case 'version':
        writeOut(1, `concurrency-diagram ${toolVersion()}\n`);
        return 0;
      case 'run':
        return await runCommand(cmd, log);
      case 'report':
        return reportCommand(cmd, log);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      log(`concurrency-diagram: ${e.message}`);
      return EXIT_USAGE;
    }
    log(`concurrency-diagram: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT_INTERNAL;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Stdio is inherited by the script; nothing of ours is pending, so exit now rather than wait for stray handles.
  process.exit(code);
});
