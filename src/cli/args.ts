/**
 * Command-line parsing of `concurrency-diagram`. Pure: turns argv into a typed command or throws a
 * {@link UsageError} whose message is the one line the user sees.
 */

/** Bad command-line input: the message names the problem; the CLI prints it and exits with {@link EXIT_USAGE}. */
export class UsageError extends Error {}

/** Exit code for bad input (unknown option, missing script, syntax error, unusable Node). */
export const EXIT_USAGE = 2;

/** Exit code when the CLI itself failed (e.g. writing the trace). */
export const EXIT_INTERNAL = 1;

/** Script extensions the runner knows how to load. */
export const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/** Largest UV_THREADPOOL_SIZE libuv accepts. */
export const MAX_THREADPOOL_SIZE = 1024;

/** `concurrency-diagram run …`. */
export interface RunCommand {
  kind: 'run';
  /** Script path as given (resolved against the cwd later). */
  script: string;
  /** Arguments for the script, untouched. */
  scriptArgs: string[];
  /** --trace FILE. */
  trace?: string;
  /** --chrome-trace FILE. */
  chromeTrace?: string;
  /** --html FILE. */
  html?: string;
  /** --threadpool-size N. */
  threadpoolSize?: number;
  /** --node PATH. */
  node?: string;
  /** --node-arg ARG, in order. */
  nodeArgs: string[];
  /** --no-overhead-limit: follow every promise however many stack captures it takes. */
  noOverheadLimit?: boolean;
}

/** `concurrency-diagram report <trace> --html FILE | --chrome-trace FILE`. */
export interface ReportCommand {
  kind: 'report';
  trace: string;
  html?: string;
  chromeTrace?: string;
}

/** `--help` (optionally for one command) or `--version`. */
export interface InfoCommand {
  kind: 'help' | 'version';
  /** Command whose help was asked for, if any. */
  topic?: 'run' | 'report';
}

/** Any parsed command line. */
export type Command = RunCommand | ReportCommand | InfoCommand;

/** Options of `run` that take a value. */
const RUN_VALUE_OPTIONS = new Set(['--trace', '--chrome-trace', '--html', '--threadpool-size', '--node', '--node-arg']);

/** Options of `report` that take a value. */
const REPORT_VALUE_OPTIONS = new Set(['--html', '--chrome-trace']);

/** Splits `--name=value` into its parts; other arguments come back with value undefined. */
function splitOption(arg: string): [name: string, value: string | undefined] {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 2) return [arg.slice(0, eq), arg.slice(eq + 1)];
  return [arg, undefined];
}

/** Parses a --threadpool-size value: an integer 1..1024 written in decimal. */
export function parseThreadpoolSize(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--threadpool-size must be a whole number from 1 to ${MAX_THREADPOOL_SIZE}, got '${value}'`);
  }
  const n = Number(value.trim());
  if (n < 1 || n > MAX_THREADPOOL_SIZE) {
    throw new UsageError(`--threadpool-size must be from 1 to ${MAX_THREADPOOL_SIZE} (libuv's limit), got ${n}`);
  }
  return n;
}

/**
 * Parses the arguments after `node cli.js`. Options of `run` stop at the script path: everything
 * after it belongs to the script, even if it looks like an option.
 */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError("missing command: use 'concurrency-diagram run <script>' (see --help)");
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0] === 'run' || rest[0] === 'report' ? rest[0] : undefined;
    return { kind: 'help', topic };
  }
  if (first === '--version' || first === '-v' || first === '-V') return { kind: 'version' };
  if (first === 'run') return parseRun(rest);
  if (first === 'report') return parseReport(rest);
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (options go after the command: 'concurrency-diagram run [options] <script>')`);
  throw new UsageError(`unknown command '${first}': expected 'run' or 'report' (see --help)`);
}

function takeValue(name: string, inline: string | undefined, args: readonly string[], i: number): [string, number] {
  if (inline !== undefined) {
    if (inline === '') throw new UsageError(`${name} needs a value`);
    return [inline, i];
  }
  const v = args[i + 1];
  if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
  return [v, i + 1];
}

function parseRun(args: readonly string[]): Command {
  const cmd: RunCommand = { kind: 'run', script: '', scriptArgs: [], nodeArgs: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      if (i + 1 >= args.length) throw new UsageError('missing script path after --');
      cmd.script = args[i + 1];
      cmd.scriptArgs = args.slice(i + 2);
      return cmd;
    }
    if (arg === '--help' || arg === '-h') return { kind: 'help', topic: 'run' };
    if (!arg.startsWith('-') || arg === '-') {
      cmd.script = arg;
      cmd.scriptArgs = args.slice(i + 1);
      return cmd;
    }
    const [name, inline] = splitOption(arg);
    if (name === '--no-overhead-limit') {
      if (inline !== undefined) throw new UsageError('--no-overhead-limit takes no value');
      cmd.noOverheadLimit = true;
      continue;
    }
    if (!RUN_VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option '${name}' for 'run' (see 'concurrency-diagram run --help')`);
    const [value, next] = takeValue(name, inline, args, i);
    i = next;
    switch (name) {
      case '--trace':
        cmd.trace = value;
        break;
      case '--chrome-trace':
        cmd.chromeTrace = value;
        break;
      case '--html':
        cmd.html = value;
        break;
      case '--threadpool-size':
        cmd.threadpoolSize = parseThreadpoolSize(value);
        break;
      case '--node':
        cmd.node = value;
        break;
      case '--node-arg':
        cmd.nodeArgs.push(value);
        break;
    }
  }
  throw new UsageError("missing script: 'concurrency-diagram run [options] <script> [script args...]'");
}

function parseReport(args: readonly string[]): Command {
  let trace: string | undefined;
  const cmd: ReportCommand = { kind: 'report', trace: '' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help', topic: 'report' };
    if (!arg.startsWith('-') || arg === '-') {
      if (trace !== undefined) throw new UsageError(`unexpected argument '${arg}': 'report' takes one trace file`);
      trace = arg;
      continue;
    }
    const [name, inline] = splitOption(arg);
    if (!REPORT_VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option '${name}' for 'report' (expected --html FILE or --chrome-trace FILE)`);
    const [value, next] = takeValue(name, inline, args, i);
    i = next;
    if (name === '--html') cmd.html = value;
    else cmd.chromeTrace = value;
  }
  if (trace === undefined) throw new UsageError("missing trace file: 'concurrency-diagram report <trace> --html FILE | --chrome-trace FILE'");
  if (cmd.html === undefined && cmd.chromeTrace === undefined) throw new UsageError("'report' needs an output: --html FILE and/or --chrome-trace FILE");
  cmd.trace = trace;
  return cmd;
}

/** Text of `--help`. */
export function helpText(topic?: 'run' | 'report'): string {
  const run = `concurrency-diagram run [options] <script> [script args...]
  Runs a .ts/.mts/.cts/.js/.mjs/.cjs script under the Concurrency Diagram runner and records what ran
  concurrently: JS threads, libuv threadpool threads and jobs, async operations and async tasks.
  The script's stdin, stdout, stderr, arguments, cwd, environment and exit code pass through.
  Options (they stop at the script path; everything after it is the script's):
    --trace FILE            write the trace here (default: a new file in the OS temp folder)
    --chrome-trace FILE     also write a Chrome Trace Event Format file (Perfetto, chrome://tracing)
    --html FILE             also write a standalone HTML report
    --threadpool-size N     run the script with UV_THREADPOOL_SIZE=N (1..${MAX_THREADPOOL_SIZE})
    --node PATH             Node.js binary that runs the script (>= 20; default: the one running this CLI)
    --node-arg ARG          runtime argument for the script's Node (repeatable), e.g. --node-arg=--no-warnings
    --no-overhead-limit     follow async tasks to the end however much it costs (by default, once a
                            thread's stack captures take over 1 s plus a quarter of its time, the
                            runner stops following that thread's promises: no new task lanes)`;
  const report = `concurrency-diagram report <trace> [--html FILE] [--chrome-trace FILE]
  Turns a saved trace into a standalone HTML report and/or a Chrome Trace Event Format file.`;
  const common = `Other:
  --help, -h       this help
  --version, -v    print the version
Exit codes: the script's own exit code (128+n when it died of signal n); 2 for bad input; 1 when
the CLI itself failed.`;
  if (topic === 'run') return `${run}\n`;
  if (topic === 'report') return `${report}\n`;
  return `Usage:\n${run}\n\n${report}\n\n${common}\n`;
}
