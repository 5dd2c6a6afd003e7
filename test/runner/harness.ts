/**
 * Test harness for the runner and the CLI: runs the built `dist/cli.js` as a child process, the way
 * users (and the extension) run it, and reads back the trace it wrote.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrace, type TraceModel } from '../../src/trace/model';

/** Root of the repository. */
export const repoRoot = resolve(__dirname, '..', '..');

/** The CLI bundle under test: dist/cli.js, or another build named by CONCURRENCY_DIAGRAM_TEST_CLI (e.g. an installed package). */
export const cliPath = process.env.CONCURRENCY_DIAGRAM_TEST_CLI ? resolve(process.env.CONCURRENCY_DIAGRAM_TEST_CLI) : join(repoRoot, 'dist', 'cli.js');

/** Folder of the fixture scripts. */
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/**
 * Node binaries the runner fixtures run on: the machine's own Node (this process) and the registry's
 * 22, 24 and 26 when installed (test/nodeVersions, installed by scripts/test.mjs).
 */
export const nodeVersions: { name: string; path: string }[] = [
  { name: `node ${process.version}`, path: process.execPath },
  ...['node22', 'node24', 'node26']
    .map((n) => ({ name: n, path: join(repoRoot, 'test', 'nodeVersions', 'node_modules', n, 'bin', 'node') }))
    .filter((n) => existsSync(n.path)),
];

/** Major version of the Node that ran the script of a trace (its run record), NaN when unknown. */
export function nodeMajor(m: TraceModel): number {
  return Number(/^v(\d+)\./.exec(m.run?.node ?? '')?.[1]);
}

/** Options of {@link runCli} and {@link runCliRaw}. */
export interface RunCliOptions {
  /** Working directory of the CLI (and so of the script). Default: the repository root. */
  cwd?: string;
  /** Extra environment variables (merged over this process's environment). */
  env?: Record<string, string | undefined>;
  /** Text written to the CLI's stdin (then stdin is closed). Default: stdin closed at once. */
  input?: string;
  /** Kill the CLI with SIGKILL after this many ms (a hung test fails instead of hanging). Default 60 000. */
  timeoutMs?: number;
  /** Send {@link signal} to the CLI this many ms after it started. */
  signalAfterMs?: number;
  /** Send {@link signal} to the CLI as soon as its stdout contains this text (more robust than a delay). */
  signalOnStdout?: string;
  /** Signal for signalAfterMs / signalOnStdout. Default SIGTERM. */
  signal?: NodeJS.Signals;
  /** The Node that runs the CLI itself (as the extension runs it with its `nodePath`). Default: this process's. */
  cliNode?: string;
}

/** What a CLI run produced. */
export interface CliResult {
  /** Exit code of the CLI, null when it died of a signal. */
  code: number | null;
  /** Signal that ended the CLI, or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Trace file the run was told to write (may not exist for bad input). */
  tracePath: string;
  /** The trace read back; undefined when there is no trace file or it is not a trace. */
  model: TraceModel | undefined;
  /** Raw text of the trace file, '' when missing. */
  traceText: string;
  /** When the signal (if any) was sent, ms since start; and when the CLI ended. */
  signalSentAtMs?: number;
  endedAtMs: number;
}

let built = false;

/** Builds dist/ once per test process when the CLI bundle is missing. */
export function ensureBuilt(): void {
  if (built || process.env.CONCURRENCY_DIAGRAM_TEST_CLI) return;
  if (!existsSync(cliPath) || !existsSync(join(repoRoot, 'dist', 'runner', 'preload.js'))) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('node scripts/build.mjs failed');
  }
  built = true;
}

/** A fresh temporary directory for one test. */
export function tempDir(prefix = 'cd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Runs `node dist/cli.js run --trace <tmp> ...args` (args = CLI options, the script and its args)
 * and reads the trace back. Paths in args are used as given (relative ones resolve against cwd).
 */
export async function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  const tracePath = join(tempDir(), 'trace.cdtrace');
  const r = await runCliRaw(['run', '--trace', tracePath, ...args], opts);
  let traceText = '';
  let model: TraceModel | undefined;
  if (existsSync(tracePath)) {
    traceText = readFileSync(tracePath, 'utf8');
    try {
      model = parseTrace(traceText);
    } catch {
      model = undefined;
    }
  }
  return { ...r, tracePath, traceText, model };
}

/** Runs `node dist/cli.js ...argv` as is (for `--help`, `report`, bad options). */
export function runCliRaw(argv: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  ensureBuilt();
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(opts.cliNode ?? process.execPath, [cliPath, ...argv], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalSentAtMs: number | undefined;
    const sendSignal = () => {
      if (signalSentAtMs !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      signalSentAtMs = Date.now() - started;
      child.kill(opts.signal ?? 'SIGTERM');
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      if (opts.signalOnStdout !== undefined && stdout.includes(opts.signalOnStdout)) sendSignal();
    });
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {
      // The script may exit without reading its stdin: EPIPE is expected then.
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    const timers: NodeJS.Timeout[] = [];
    if (opts.signalAfterMs !== undefined) timers.push(setTimeout(sendSignal, opts.signalAfterMs));
    timers.push(setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolvePromise({ code, signal, stdout, stderr, tracePath: '', traceText: '', model: undefined, signalSentAtMs, endedAtMs: Date.now() - started });
    });
  });
}

/** Path of a fixture script. */
export function fixture(name: string): string {
  return join(fixturesDir, name);
}
