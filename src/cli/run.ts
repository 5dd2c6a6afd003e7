/**
 * `concurrency-diagram run`: checks the input, writes the trace header, runs the script under the
 * runner (preloaded through NODE_OPTIONS), forwards signals, samples the OS threads, and at the end
 * appends the threadpool (P, J) and run-end (Q) records and prints the summary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { constants, getPriority, setPriority, tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { CAPTURE_FLOOR_ENV, CLI_THREAD_ID, DEFAULT_CAPTURE_LIMIT, MAX_SITES_ENV, RUNNER_CONFIG_ENV, TRACE_FORMAT_VERSION, TRACE_MAGIC, type RunnerConfig, type TraceHeader } from '../trace/format';
import { parseTrace, type TraceModel } from '../trace/model';
import { buildPool, effectivePoolSize, type JobIds } from '../trace/poolModel';
import { reportTsconfigProblems } from '../runner/tsconfig';
import { detectsModuleSyntax, nodeRuntimeArgs, pruneCache } from '../runner/tsLoader';
import { EXIT_INTERNAL, SCRIPT_EXTENSIONS, UsageError, type RunCommand } from './args';
import { NODE_DEFAULT_TRACE_PATTERN, nodeTraceFiles, readNodeTraceEvents } from './nodeTraceEvents';
import { writeOutputs } from './outputs';
import { ProcSampler } from './procSampler';
import { scriptEnvironment } from './scriptEnv';
import { summaryLine } from './summary';
import { checkSyntax } from './syntaxCheck';
import { TraceFollower } from './traceFollower';
import { toolVersion } from './version';
import { startWatchdog } from './watchdog';

/** Oldest Node major version the runner supports. */
export const MIN_NODE_MAJOR = 20;

/**
 * How long a forwarded SIGTERM/SIGINT may take before the script is killed (a busy loop never runs
 * its handlers); for a Ctrl+C the script got straight from the terminal, how long its event loop has
 * to take it (the runner then tells the CLI, and the script is left to its own handlers).
 */
export const ESCALATE_AFTER_MS = 1500;

/** The script's fd of the pipe whose end tells the runner that the CLI is gone. */
const PARENT_FD = 3;

/** How often pool jobs seen so far are appended while the script runs (live view), ms. */
const LIVE_MS = 400;

/**
 * The CLI's niceness while the script runs (Unix nice value; `BELOW_NORMAL` on Windows). Following
 * the trace costs the CLI CPU time while the script runs; at a lower priority it runs when a core is
 * idle instead of taking the script's, so the script runs as fast as without it (measured:
 * `docs/benchmark.md`).
 */
export const CLI_NICENESS = 10;

/**
 * Lowers this process's CPU priority to {@link CLI_NICENESS}, never raises it (an already nicer CLI
 * stays so). Call it after the script is spawned: a child started later would inherit it. On Linux
 * it applies to the calling thread, the CLI's main thread, where all its work runs.
 */
export function yieldCpuToScript(): void {
  try {
    if (getPriority(0) < CLI_NICENESS) setPriority(0, CLI_NICENESS);
  } catch {
    // Not permitted here: the CLI keeps its priority.
  }
}

/** Resolves and checks the script path: it must exist, be a file, and have a supported extension. */
export function checkScript(script: string, cwd: string): string {
  const abs = resolve(cwd, script);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`script not found: ${abs}`);
    throw new UsageError(`cannot read script ${abs}: ${code ?? (e as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`${abs} is a directory, not a script file`);
  if (!st.isFile()) throw new UsageError(`${abs} is not a regular file`);
  const ext = extname(abs).toLowerCase();
  if (!(SCRIPT_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new UsageError(`unsupported file type '${ext || '(none)'}' of ${abs}: expected one of ${SCRIPT_EXTENSIONS.join(' ')}`);
  }
  return abs;
}

/** Checks that `node` is a Node.js binary of a supported version by running `node -p process.version`. */
export function checkNode(node: string): { path: string; version: string } {
  // A bare name (`node`) is looked up on PATH by spawn; a path is made absolute first.
  const isPath = /[\\/]/.test(node);
  const path = isPath ? resolve(node) : node;
  if (isPath) {
    if (!existsSync(path)) throw new UsageError(`--node ${node}: no such file`);
    if (statSync(path).isDirectory()) throw new UsageError(`--node ${node}: is a directory, not a Node.js binary`);
  }
  const r = spawnSync(path, ['-p', 'process.version'], {
    encoding: 'utf8',
    timeout: 10_000,
    // The user's NODE_OPTIONS may not suit this probe (the script still gets them), and a Node 20
    // would parse every root certificate at start-up for NODE_EXTRA_CA_CERTS.
    env: { ...process.env, NODE_OPTIONS: '', NODE_EXTRA_CA_CERTS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`--node ${node}: not found`);
    if (code === 'EACCES') throw new UsageError(`--node ${node}: not executable`);
    if (code === 'ETIMEDOUT') throw new UsageError(`--node ${node}: did not answer 'node -p process.version' within 10 s; is it a Node.js binary?`);
    throw new UsageError(`--node ${node}: cannot run it (${code ?? r.error.message})`);
  }
  const out = (r.stdout ?? '').trim();
  const m = /^v(\d+)\.\d+\.\d+\S*$/.exec(out);
  if (r.status !== 0 || !m) throw new UsageError(`--node ${node}: not a Node.js binary ('-p process.version' printed ${JSON.stringify(out.slice(0, 60))})`);
  if (Number(m[1]) < MIN_NODE_MAJOR) throw new UsageError(`--node ${node}: Node ${out} is too old; Concurrency Diagram needs Node ${MIN_NODE_MAJOR} or newer`);
  return { path, version: out };
}

/** Quotes one NODE_OPTIONS argument: Node splits NODE_OPTIONS at spaces outside double quotes and unescapes `\\` and `\"` inside them. */
export function quoteNodeOption(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The file pattern of the CLI's own folder for Node's trace events (expanded by Node). */
const NODE_TRACE_PATTERN = 'node-${pid}-${rotation}.log';

/** The script's own `--trace-event-file-pattern` among its Node's runtime arguments (the last one wins), if any. */
export function userTraceEventPattern(runtimeArgs: readonly string[]): string | undefined {
  let pattern: string | undefined;
  for (let i = 0; i < runtimeArgs.length; i++) {
    const a = runtimeArgs[i];
    if (a.startsWith('--trace-event-file-pattern=')) pattern = a.slice('--trace-event-file-pattern='.length);
    else if (a === '--trace-event-file-pattern' && i + 1 < runtimeArgs.length) pattern = runtimeArgs[++i];
  }
  return pattern;
}

/** Whether these runtime arguments of the script's Node turn on Node's permission model. */
export function permissionModelOn(runtimeArgs: readonly string[]): boolean {
  return runtimeArgs.some((a) => a === '--permission' || a === '--experimental-permission');
}

/**
 * The runtime options that let the recorder work under Node's permission model (`--permission`,
 * `--experimental-permission` on Node 20): read its own files (the preload, the TypeScript
 * compiler) and write the trace and Node's trace events. Nothing else is granted to the script: the
 * transpile cache and `/proc` stay as the user's own options leave them (the recorder does without).
 */
export function permissionOptions(runnerDir: string, tracePath: string, nodeTraceDir: string | undefined): string {
  const grants = [`--allow-fs-read=${runnerDir}`, `--allow-fs-write=${tracePath}`];
  if (nodeTraceDir !== undefined) grants.push(`--allow-fs-write=${nodeTraceDir}`);
  return grants.map(quoteNodeOption).join(' ');
}

/** Default trace path: a new file in the OS temp folder named after the script and the time. */
export function defaultTracePath(script: string, now = new Date()): string {
  const stem = basename(script, extname(script)).replace(/[^\w.-]+/g, '_');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join(tmpdir(), `concurrency-diagram-${stem}-${stamp}-${process.pid}.cdtrace`);
}

/**
 * {@link defaultTracePath}, once its folder is known to exist: the user gave no `--trace`, so a
 * missing OS temp folder is named as such (with the option that avoids it), not as a bad `--trace`.
 */
function defaultTraceIn(script: string): string {
  const file = defaultTracePath(script);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`no folder for the trace: the OS temp folder ${dir} does not exist (see ${process.platform === 'win32' ? 'TEMP' : 'TMPDIR'}); pass --trace FILE`);
  }
  return file;
}

/** Checks that an output file can be created (its folder exists), so a long run is not lost at the end. */
function checkOutputPath(option: string, file: string): string {
  const abs = resolve(file);
  const dir = dirname(abs);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${option} ${file}: folder ${dir} does not exist`);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new UsageError(`${option} ${file}: is a directory`);
  return abs;
}

/**
 * Makes the temporary folder for Node's own trace events (exact threadpool jobs of crypto and zlib).
 * An unusable OS temp folder (a `TMPDIR` that does not exist or cannot be written) must not stop the
 * run: the trace's own folder, which exists and which the trace is written to, is tried next. If no
 * folder can be made, the script runs without Node's trace events and `log` gets one line saying so.
 */
export function makeNodeTraceDir(tracePath: string, log: (line: string) => void): string | undefined {
  const failures: string[] = [];
  for (const parent of [tmpdir(), dirname(tracePath)]) {
    try {
      return mkdtempSync(join(parent, 'concurrency-diagram-node-'));
    } catch (e) {
      failures.push(`${parent}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  log(`concurrency-diagram: no temporary folder for Node's trace events (${failures.join('; ')}); crypto and zlib threadpool jobs are inferred instead of exact`);
  return undefined;
}

/**
 * Copies the script's process's trace-event files from the CLI's folder to the names Node gives
 * them by default in the script's folder (`node_trace.<rotation>.log`).
 */
function keepScriptTraceEvents(files: readonly [string, number][], cwd: string, log: (line: string) => void): void {
  for (const [file, rotation] of files) {
    const to = resolve(cwd, NODE_DEFAULT_TRACE_PATTERN.replace('${rotation}', String(rotation)));
    try {
      copyFileSync(file, to);
    } catch (e) {
      log(`concurrency-diagram: could not keep the script's trace events as ${to} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}

/** Kept here too: the CLI's callers and tests know it from this module. */
export { effectivePoolSize };

/** Runs `concurrency-diagram run`; resolves to the exit code the CLI should exit with. */
export async function runCommand(cmd: RunCommand, log: (line: string) => void): Promise<number> {
  const cwd = process.cwd();
  const script = checkScript(cmd.script, cwd);
  let node = process.execPath;
  let nodeVersion = process.version;
  if (cmd.node !== undefined) ({ path: node, version: nodeVersion } = checkNode(cmd.node));
  else if (Number(process.versions.node.split('.')[0]) < MIN_NODE_MAJOR) {
    throw new UsageError(`this Node (${process.version}) is too old; Concurrency Diagram needs Node ${MIN_NODE_MAJOR} or newer (or pass --node PATH)`);
  }
  const tracePath = checkOutputPath('--trace', cmd.trace ?? defaultTraceIn(script));
  const chromePath = cmd.chromeTrace === undefined ? undefined : checkOutputPath('--chrome-trace', cmd.chromeTrace);
  const htmlPath = cmd.html === undefined ? undefined : checkOutputPath('--html', cmd.html);
  const preload = join(__dirname, 'runner', 'preload.js');
  if (!existsSync(preload)) {
    log(`concurrency-diagram: the runner is missing (${preload}); rebuild with 'node scripts/build.mjs'`);
    return EXIT_INTERNAL;
  }
  // A syntax error is reported before anything runs, with its position; so is a tsconfig.json that
  // cannot be used (the script's process ignores it silently: its stderr is the script's).
  reportTsconfigProblems((message) => log(`concurrency-diagram: ${message}`));
  let env: NodeJS.ProcessEnv;
  try {
    env = scriptEnvironment(process.env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  // Compiled to the module system the script's Node would give the JavaScript (with its options).
  checkSyntax(script, undefined, detectsModuleSyntax(nodeVersion, nodeRuntimeArgs(env.NODE_OPTIONS, cmd.nodeArgs)));
  if (cmd.threadpoolSize !== undefined) env.UV_THREADPOOL_SIZE = String(cmd.threadpoolSize);
  const userOptions = env.NODE_OPTIONS ?? '';
  // Node's trace events go to a folder of the CLI's, unless the script names its own file: then
  // they are read from there, and its file stays where it asked for it.
  const userPattern = userTraceEventPattern(nodeRuntimeArgs(userOptions, cmd.nodeArgs));
  const nodeTraceDir = userPattern === undefined ? makeNodeTraceDir(tracePath, log) : undefined;
  // `${pid}` and `${rotation}` are expanded by Node itself, not by us.
  const pattern = nodeTraceDir === undefined ? '' : ` --trace-event-file-pattern ${quoteNodeOption(join(nodeTraceDir, NODE_TRACE_PATTERN))}`;
  // Under Node's permission model the recorder could neither load nor write: it gets its own files only.
  const grants = permissionModelOn(nodeRuntimeArgs(userOptions, cmd.nodeArgs)) ? ` ${permissionOptions(dirname(preload), tracePath, nodeTraceDir)}` : '';
  env.NODE_OPTIONS = `--require ${quoteNodeOption(preload)}${pattern}${grants}${userOptions ? ` ${userOptions}` : ''}`;

  const originNs = process.hrtime.bigint();
  const originUs = Number(originNs / 1000n);
  const nowUs = () => Number((process.hrtime.bigint() - originNs) / 1000n);
  // From here on a stop request (the extension's Stop sends SIGTERM as soon as the header exists)
  // must not end this process before the script has been started and told: without a handler a
  // SIGTERM would kill this process at once and could leave the script running on its own.
  const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // One listener for the whole run (removing and re-adding one would drop a signal already caught
  // but not yet dispatched): it holds signals until the script exists, then forwards them.
  const early: NodeJS.Signals[] = [];
  let onSignal: (sig: NodeJS.Signals) => void = (sig) => early.push(sig);
  const listener = (sig: NodeJS.Signals) => onSignal(sig);
  for (const s of signals) process.on(s, listener);
  const header: TraceHeader = { format: TRACE_MAGIC, version: TRACE_FORMAT_VERSION, originNs: originNs.toString(), originWallMs: Date.now(), writer: `concurrency-diagram ${toolVersion()}` };
  try {
    writeFileSync(tracePath, JSON.stringify(['H', header]) + '\n');
  } catch (e) {
    throw new UsageError(`--trace ${tracePath}: cannot create the trace file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // fd 3 of the script: a pipe this process never writes to; it ends when this process dies, however
  // it dies (SIGKILL included), and the runner then ends the script instead of leaving an orphan.
  const config: RunnerConfig = { trace: tracePath, originNs: originNs.toString(), script, nodeTraceDir: nodeTraceDir ?? (userPattern === undefined ? undefined : dirname(resolve(cwd, userPattern))), parentFd: PARENT_FD, cliPid: process.pid };
  // For tests only: a small site table, so that what happens when it fills up can be seen on a small script.
  const maxSites = Number(env[MAX_SITES_ENV]);
  if (Number.isInteger(maxSites) && maxSites > 0) config.maxSites = maxSites;
  if (cmd.noOverheadLimit) config.captureLimit = null;
  else {
    // For tests: a small floor, so that a short script passes the limit.
    const floorMs = Number(env[CAPTURE_FLOOR_ENV] || NaN);
    if (floorMs >= 0) config.captureLimit = { ...DEFAULT_CAPTURE_LIMIT, floorMs };
  }
  env[RUNNER_CONFIG_ENV] = JSON.stringify(config);

  const child: ChildProcess = spawn(node, [...cmd.nodeArgs, script, ...cmd.scriptArgs], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env, cwd, windowsHide: false });
  const parentPipe = child.stdio[PARENT_FD] as Socket | null;
  parentPipe?.on('error', () => {
    // The script closed its end (or never had one): nothing to watch from this side.
  });
  // The runner writes a line (the signal's name) each time the script takes a signal.
  let takenTail = '';
  let onTaken: (sig: string) => void = () => {};
  parentPipe?.setEncoding('utf8');
  parentPipe?.on('data', (text: string) => {
    const lines = (takenTail + text).split('\n');
    takenTail = lines.pop()?.slice(0, 64) ?? '';
    for (const l of lines) onTaken(l);
  });
  // For a script that never returns to its loop (and so never sees the pipe end).
  const watchdog = child.pid !== undefined ? startWatchdog(child.pid) : undefined;
  // Only now: the script and the watchdog keep the priority they were started with.
  yieldCpuToScript();
  // The transpile cache is bounded here, once per run, in this process (never in the script's):
  // usually one stat of the stamp file, a real prune at most once an hour.
  setImmediate(() => pruneCache());
  const sampler = child.pid !== undefined && ProcSampler.available() ? new ProcSampler(child.pid, nowUs) : undefined;
  sampler?.start();

  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  // A Ctrl+C reaches the script and the CLI at once, and either may see it first. Terminal SIGINTs
  // the script has not taken yet, and times the script took one the CLI had not seen yet (matched
  // only for ESCALATE_AFTER_MS: a SIGINT sent to the script alone must not excuse a later one).
  let untaken = 0;
  const takenAt: number[] = [];
  // Set while the pending kill is only for Ctrl+Cs from the terminal: the script taking them cancels it.
  let killUnlessTaken = false;
  onTaken = (sig) => {
    if (sig !== 'SIGINT') return;
    if (untaken === 0) {
      if (takenAt.push(Date.now()) > 16) takenAt.shift();
      return;
    }
    untaken--;
    if (untaken === 0 && killUnlessTaken && killTimer) {
      clearTimeout(killTimer);
      killTimer = undefined;
      killUnlessTaken = false;
    }
  };
  const killLater = () =>
    setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }, ESCALATE_AFTER_MS);
  const forward = (sig: NodeJS.Signals) => {
    stopped = true;
    // Ctrl+C in a terminal already reached the script (same process group): a second SIGINT would
    // look like a second Ctrl+C to a script that handles the first one itself.
    // (isatty, not process.stdin: creating that stream in the CLI could take input meant for the script.)
    const fromTerminal = sig === 'SIGINT' && isatty(0);
    if (fromTerminal) {
      // The script decides what a Ctrl+C does, as it would without the CLI: it is killed only when
      // its event loop does not take the signal in time (stuck in a synchronous loop, where the
      // runner's listener keeps the signal from ending it as it would under plain Node).
      const now = Date.now();
      while (takenAt.length > 0 && now - takenAt[0] > ESCALATE_AFTER_MS) takenAt.shift();
      if (takenAt.shift() !== undefined) return;
      untaken++;
      if (!killTimer) {
        killUnlessTaken = true;
        killTimer = killLater();
      }
      return;
    }
    try {
      child.kill(sig);
    } catch {
      // Already gone.
    }
    if (sig === 'SIGTERM' || sig === 'SIGINT') {
      // A stop asked of the CLI itself (the extension's Stop, `kill <pid>`): it ends the script
      // within ESCALATE_AFTER_MS whatever the script's handlers do, even if a Ctrl+C came first.
      killUnlessTaken = false;
      killTimer ??= killLater();
    }
  };
  onSignal = forward;
  for (const s of early) forward(s);

  // Live view: while the script runs, jobs of pool-backed resources whose completion was seen are
  // appended (inferred) every LIVE_MS; the final pass re-writes them under the same ids.
  const follower = new TraceFollower(tracePath);
  const jobIds: JobIds = { byOp: new Map(), next: 1 };
  const written = new Set<number>();
  let writtenLanes = 0;
  let liveFailed = false;
  const poolSizeOf = (m: TraceModel) => m.run?.threadpoolSize ?? effectivePoolSize(env.UV_THREADPOOL_SIZE);
  let live: NodeJS.Timeout | undefined;
  let running = true;
  const liveTick = () => {
    if (!running || liveFailed || child.pid === undefined) return;
    const t0 = Date.now();
    try {
      follower.readMore();
      const m = follower.scanner.result();
      const pool = buildPool({ pid: child.pid, poolSize: poolSizeOf(m), events: [], osThreads: sampler?.snapshot(), sampleTimes: sampler?.sampleTimes, osThreadSource: sampler?.source, model: m, endTs: nowUs(), jobIds });
      let out = '';
      if (pool.threads.length > writtenLanes) {
        for (const p of pool.threads) out += JSON.stringify(p) + '\n';
        writtenLanes = pool.threads.length;
      }
      for (const j of pool.jobs) {
        if (written.has(j[1])) continue;
        written.add(j[1]);
        out += JSON.stringify(j) + '\n';
      }
      if (out) appendFileSync(tracePath, JSON.stringify(['@', child.pid, CLI_THREAD_ID]) + '\n' + out);
    } catch {
      // The live view is a bonus: never let it disturb the run; the final pass still runs.
      liveFailed = true;
    }
    // Keep the live view's share of a core small however big the trace gets: wait at least ten
    // times as long as this update took.
    live = setTimeout(liveTick, Math.max(LIVE_MS, 10 * (Date.now() - t0)));
    live.unref();
  };
  live = setTimeout(liveTick, LIVE_MS);
  live.unref();

  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((done) => {
    child.once('error', (err) => done({ code: null, signal: null, spawnError: err }));
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  running = false;
  watchdog?.release();
  parentPipe?.destroy();
  if (live) clearTimeout(live);
  if (killTimer) clearTimeout(killTimer);
  let osThreads = sampler?.stop();
  const endTs = nowUs();
  const pid = child.pid ?? 0;

  // From here on the raw trace is on disk; any failure below must keep it and say so.
  let readable = true;
  try {
    follower.readMore();
  } catch (e) {
    readable = false;
    log(`concurrency-diagram: could not read the trace back (${(e as Error).message}); the raw trace is kept at ${tracePath}`);
  }
  // A writer killed mid-line left a partial last line: end it, so our records start on a line of their own.
  let cliRecords = (follower.endsWithNewline ? '' : '\n') + JSON.stringify(['@', pid, CLI_THREAD_ID]) + '\n';
  if (result.spawnError) {
    cliRecords += JSON.stringify(['!', 'spawn', endTs, `could not start ${node}: ${result.spawnError.message}`, '', 0]) + '\n';
    log(`concurrency-diagram: could not start ${node}: ${result.spawnError.message}`);
  }
  if (readable) {
    try {
      const model = follower.scanner.result();
      // Threads of a pool used for a few ms can live between two samples: the script's own list.
      const own = model.run?.pid === pid ? model.run.osThreads : undefined;
      if (sampler && own) osThreads = sampler.addFinal(own, endTs);
      const files = userPattern !== undefined ? nodeTraceFiles(userPattern, cwd, pid) : nodeTraceDir !== undefined ? nodeTraceFiles(join(nodeTraceDir, NODE_TRACE_PATTERN), cwd, pid) : [];
      const { events, others } = readNodeTraceEvents(files, originUs);
      // The script traced something itself (`--trace-event-categories`, `trace_events.createTracing`):
      // its file is put where Node would have written it (with the pool's events in it too).
      if (others > 0 && nodeTraceDir !== undefined) keepScriptTraceEvents(files, cwd, log);
      const pool = buildPool({ pid, poolSize: poolSizeOf(model), events, osThreads, sampleTimes: sampler?.sampleTimes, osThreadSource: sampler?.source, model, endTs, jobIds });
      for (const p of pool.threads) cliRecords += JSON.stringify(p) + '\n';
      for (const j of pool.jobs) cliRecords += JSON.stringify(j) + '\n';
    } catch (e) {
      log(`concurrency-diagram: could not build the threadpool lanes (${(e as Error).message}); the raw trace is kept at ${tracePath}`);
    }
  }
  const end = { exitCode: result.code, signal: result.signal, ...(stopped ? { stopped: true } : {}) };
  cliRecords += JSON.stringify(['Q', endTs, end]) + '\n';
  let exitCode = result.spawnError ? EXIT_INTERNAL : result.signal ? 128 + (constants.signals[result.signal] ?? 0) : (result.code ?? EXIT_INTERNAL);
  try {
    appendFileSync(tracePath, cliRecords);
  } catch (e) {
    log(`concurrency-diagram: could not append the run end to ${tracePath} (${(e as Error).message})`);
    if (exitCode === 0) exitCode = EXIT_INTERNAL;
  }
  try {
    if (nodeTraceDir !== undefined) rmSync(nodeTraceDir, { recursive: true, force: true });
  } catch {
    // A leftover temp folder is harmless.
  }
  for (const s of signals) process.off(s, listener);

  let finalModel: TraceModel | undefined;
  if (readable) {
    try {
      follower.readMore();
      finalModel = follower.scanner.result();
    } catch (e) {
      log(`concurrency-diagram: could not read back ${tracePath} (${(e as Error).message})`);
    }
  }
  if (finalModel) {
    if (chromePath !== undefined || htmlPath !== undefined) {
      try {
        // The reports need the whole trace, read in full only when asked for.
        const text = readFileSync(tracePath, 'utf8');
        const failed = writeOutputs(parseTrace(text), text, { chromeTrace: chromePath, html: htmlPath, title: basename(script) }, log);
        if (failed && exitCode === 0) exitCode = EXIT_INTERNAL;
      } catch (e) {
        if (exitCode === 0) exitCode = EXIT_INTERNAL;
        log(`concurrency-diagram: could not write the reports (${(e as Error).message}); the trace is kept at ${tracePath}`);
      }
    }
    // The summary is the last line: readers (the extension) take the last `concurrency-diagram:` line.
    log(summaryLine(finalModel, tracePath, follower.scanner.counts));
  } else {
    log(`concurrency-diagram: trace: ${tracePath}`);
  }
  return exitCode;
}
