/**
 * Entry point of the `concurrency-diagram` command (bundled to dist/cli.js). Bad input ends with one
 * line naming the problem and exit code 2; the script's own exit code passes through otherwise.
 */
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, helpText, parseArgs } from './args';
import { reportCommand } from './report';
import { runCommand } from './run';
import { toolVersion } from './version';

function log(line: string): void {
  process.stderr.write(line + '\n');
}

async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case 'help':
        process.stdout.write(helpText(cmd.topic));
        return 0;
      case 'version':
        process.stdout.write(`concurrency-diagram ${toolVersion()}\n`);
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
