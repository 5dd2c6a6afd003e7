/**
 * The runner: preloaded into every JS thread of the user's script (`NODE_OPTIONS=--require`), it
 * records what ran on that thread into the trace file named by the CLI (see src/trace/format.ts).
 *
 * A guest in someone else's process: it runs once per thread (guarded by a non-enumerable global
 * symbol), does nothing without the CLI's configuration, keeps everything in try/catch, and never
 * changes the script's output, behaviour or exit code. A failure of its own becomes a `runner`
 * error record and the script goes on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CAPTURE_LIMIT, RUNNER_CONFIG_ENV, type RunInfo, type RunnerConfig } from '../trace/format';
import { effectivePoolSize, poolFamilyOfType } from '../trace/poolModel';
import { AsyncRecorder, lookLike } from './asyncRecorder';
import { StackInterner, UserFrameFilter } from './callSites';
import { makeClock } from './clock';
import { mapThroughSourceMap } from './sourceMaps';
import { LoopMonitor } from './loopMonitor';
import { tellSignalTaken, watchParent } from './parentWatch';
import { enableNodeSourceMaps, formatOf, formatRule, generatedLine, installCjsHooks, installEsmHooks, isOriginalPosition, isTsFile, mapToOriginal, nodeRuntimeArgs, observeCompiles, packageTypeOf, sourcelessLines } from './tsLoader';
import { hasStackRoom, str, TraceWriter } from './traceWriter';

/** Environment variable through which each thread tells the Workers it starts its own threadId. */
export const PARENT_THREAD_ENV = 'CONCURRENCY_DIAGRAM_PARENT_THREAD';

const GUARD = Symbol.for('concurrency-diagram.runner');

/** Signals whose default action we restore after flushing (exit codes 129/130/143 stay as Node's). */
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The runner's listeners of `process` events, in the order they were added (see {@link restoreListeners}). */
const ownListeners: [string | symbol, (...args: never[]) => void][] = [];

/** Adds a listener of the runner's to a `process` event, remembered so that it can be restored. */
function listen(event: string | symbol, fn: (...args: never[]) => void): void {
  process.on(event, fn as (...args: unknown[]) => void);
  ownListeners.push([event, fn]);
}

/**
 * Adds back the runner's listeners that the script removed (`process.removeAllListeners()` removes
 * every listener of every event): without them the trace would lose the records of the thread's
 * end, its errors and its signals.
 */
function restoreListeners(): void {
  for (const [event, fn] of ownListeners) {
    if (!(process.listeners as (e: string | symbol) => Function[])(event).includes(fn as (...args: unknown[]) => void)) process.on(event, fn as (...args: unknown[]) => void);
  }
}

/**
 * Categories of Node's own trace events that carry crypto and zlib work on the pool thread that ran
 * it. fs and getaddrinfo are left out: Node reports them only on the submitting thread, at the same
 * moments as their async resources' creation and first callback, which the recorder has already,
 * while Node would write an event to its trace file for every fs call.
 */
const NODE_TRACE_CATEGORIES = ['node.threadpoolwork.sync', 'node.threadpoolwork.async'];

function readConfig(): RunnerConfig | undefined {
  const raw = process.env[RUNNER_CONFIG_ENV];
  if (!raw) return undefined;
  const c = JSON.parse(raw) as RunnerConfig;
  if (typeof c.trace !== 'string' || typeof c.originNs !== 'string') return undefined;
  return c;
}

/** The OS thread id of the calling thread (Linux), 0 elsewhere. */
function osThreadId(): number {
  try {
    const link = fs.readlinkSync('/proc/thread-self');
    const m = /task\/(\d+)$/.exec(link);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** True inside Node's own module-hooks thread (Node 20 `module.register`): not a thread of the script. */
function isLoaderThread(wt: typeof import('node:worker_threads')): boolean {
  // A Worker of the script always has a parentPort; Node's internal hooks thread has none.
  return !wt.isMainThread && wt.parentPort === null;
}

/**
 * Whether Node 20's off-thread ESM hooks are needed: for a TypeScript entry that Node loads as ESM,
 * or a JavaScript ESM entry that itself imports a `.ts` file. The hooks thread costs hundreds of ms
 * of start-up, so other entries go without it (an ESM file deeper in the graph importing `.ts`
 * needs Node >= 22.15, where the hooks run in-thread); CommonJS reaches `.ts` through `require`.
 */
function needsOffThreadHooks(script: string): boolean {
  const file = path.resolve(script);
  if (/\.(mts|tsx?)$/.test(file)) return file.endsWith('.mts') || formatOf(file) === 'esm';
  // A `.js` file with no package.json `type` may be an ES module by its syntax: the test below decides.
  if (!(file.endsWith('.mjs') || (file.endsWith('.js') && formatRule(file) !== 'cjs'))) return false;
  try {
    return /(?:from\s*|import\s*\(?\s*)['"][^'"\n]+\.[cm]?tsx?['"]/.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Whether Node runs this process's entry file through its CommonJS loader (which also hands an
 * entry with ES module syntax and no package.json `type` on to its ES module loader): not an `.mjs`
 * or `.mts` file, nor one of a `"type": "module"` package, nor with `--import` or a loader given,
 * as Node's own `shouldUseESMLoader` decides. Code given with `-e` or on stdin has no entry file.
 */
function entryIsCommonJsLoaded(script: string): boolean {
  if (script === '[eval]' || script === '[stdin]' || /\.m[jt]s$/.test(script)) return false;
  const args = nodeRuntimeArgs(process.env.NODE_OPTIONS, process.execArgv);
  if (args.some((a) => /^--(import|loader|experimental-loader)(=|$)|^--experimental-default-type=module$/.test(a))) return false;
  return /\.c[jt]s$/.test(script) || packageTypeOf(script) !== 'module';
}

/**
 * Calls `onLoaded` once the code of the main CommonJS module has run, before anything it queued:
 * where Node marks the module loaded (`this.loaded = true` in `Module.prototype.load`). Until then
 * `Module.prototype` has a `loaded` setter that gives each module made before the main one (the
 * main one among them) an accessor of its own, replaced by a plain property when the module is
 * loaded; later modules get the plain property at once. No frame of the runner's is in the
 * script's stacks and nothing of it is queued. False when `loaded` cannot be watched.
 */
function whenMainModuleLoaded(onLoaded: () => void): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = (require('node:module') as { prototype: object }).prototype;
  if (Object.getOwnPropertyDescriptor(proto, 'loaded') !== undefined) return false;
  const plain = (m: object, value: unknown): void => {
    Object.defineProperty(m, 'loaded', { value, writable: true, enumerable: true, configurable: true });
  };
  Object.defineProperty(proto, 'loaded', {
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set(this: object, first: unknown) {
      // Node sets process.mainModule right after making the main module: a module made later is not it.
      if (process.mainModule !== undefined) return plain(this, first);
      let value = first;
      Object.defineProperty(this, 'loaded', {
        enumerable: true,
        configurable: true,
        get: () => value,
        set: (next: unknown) => {
          value = next;
          plain(this, next);
          // The main module's id is '.' (process.mainModule is no longer it when Node handed it on to
          // its ES module loader).
          if (next !== true || (this as { id?: unknown }).id !== '.') return;
          delete (proto as { loaded?: unknown }).loaded;
          try {
            onLoaded();
          } catch {
            // The script's module loads on whatever the runner failed at.
          }
        },
      });
    },
  });
  return true;
}

/** The name V8 gives the code of an eval Worker (`new Worker(code, { eval: true })`). */
const WORKER_EVAL = '[worker eval]';

/**
 * The file this Worker runs (an absolute path, or {@link WORKER_EVAL}), from `process.argv[1]`:
 * Node sets it only after the preloads ran, so undefined before the Worker's top level.
 */
function workerScript(): string | undefined {
  const a1 = process.argv[1];
  if (a1 === undefined || a1 === WORKER_EVAL) return a1;
  return a1.startsWith('file:') ? fileURLToPath(a1) : a1;
}

/**
 * The script this process runs. The CLI names the one it starts; a Node process that the script
 * starts itself (`fork`, `execFile(process.execPath, …)`) inherits the CLI's configuration with
 * that name, but runs a script of its own: its `process.argv[1]`, which Node has already made
 * absolute for the main thread when the preloads run. `[eval]` for `node -e` / `-p`, `[stdin]` for
 * a script read from stdin.
 */
function scriptOfProcess(config: RunnerConfig): string {
  if (config.cliPid === undefined || config.cliPid === process.ppid) return path.resolve(config.script);
  if (typeof (process as { _eval?: unknown })._eval === 'string') return '[eval]';
  const a1 = process.argv[1];
  return a1 === undefined || a1 === '-' ? '[stdin]' : path.resolve(a1);
}

function start(): void {
  const config = readConfig();
  if (!config) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  if (isLoaderThread(wt)) return;
  const isMain = wt.isMainThread;
  // In a Worker, the script of its process (the Worker's own file is known only later).
  const script = isMain ? scriptOfProcess(config) : path.resolve(config.script);
  const threadId = wt.threadId;
  const now = makeClock(config.originNs);
  const t0 = now();
  // A Worker's records are queued in shared memory: see shareLeftovers.
  const out = new TraceWriter(config.trace, `["@",${process.pid},${threadId}]\n`, !isMain);
  let internalErrors = 0;
  const runnerError = (where: string, e: unknown): void => {
    if (++internalErrors > 10) return;
    const err = e as Error;
    out.write(`["!","runner",${now()},${str(`runner: ${where}: ${err?.message ?? String(e)}`)},${str(String(err?.stack ?? ''))},0]\n`);
  };

  // TypeScript in this thread: CommonJS hooks everywhere, ESM hooks (Node's hooks thread is shared on Node 20).
  // Starting Node 20's hooks thread blocks this thread for tens of ms: the runner's start-up, not the script's.
  let offThreadLoader = false;
  try {
    installCjsHooks();
    if (typeof (require('node:module') as { registerHooks?: unknown }).registerHooks === 'function' || (isMain && needsOffThreadHooks(script))) {
      offThreadLoader = installEsmHooks() === 'register';
    }
    // With Node 20's hooks thread the TypeScript is compiled there; this thread must map the stacks.
    if (isMain && isTsFile(script)) enableNodeSourceMaps();
  } catch (e) {
    runnerError('TypeScript hooks', e);
  }

  const parentThread = Number(process.env[PARENT_THREAD_ENV] ?? 0);
  try {
    // Workers copy this environment when created: that is how a Worker learns which thread started it.
    process.env[PARENT_THREAD_ENV] = String(threadId);
  } catch {
    // A frozen env: Workers will say their parent is the main thread.
  }
  let flushRunningWorkers = (): void => {};
  try {
    flushRunningWorkers = shareLeftovers(wt, out, threadId, parentThread, config.trace);
  } catch (e) {
    runnerError('worker buffers', e);
  }
  const osTid = osThreadId();
  // The pool's size as libuv would read it now; the script may still change it before the pool starts.
  const info: RunInfo = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    pid: process.pid,
    script,
    args: process.argv.slice(2),
    cwd: process.cwd(),
    threadpoolSize: effectivePoolSize(process.env.UV_THREADPOOL_SIZE),
    ts: t0,
  };
  if (isMain) {
    out.write(`["R",${JSON.stringify(info)}]\n`);
    out.write(`["T",0,"main","main",${osTid},${t0}]\n`);
    // Written at once: a script that never yields (a busy loop from its first line) still has its run and main thread.
    out.flush();
  } else {
    // A Worker can be terminated at any moment (no 'exit' inside it): say at once that it exists.
    out.write(`["T",${threadId},"worker",${str(`worker #${threadId}`)},${osTid},${t0},"?",${parentThread}]\n`);
    out.flush();
    // Its script is known only once Node has set process.argv[1], after the preloads: the next chunk
    // repeats the thread record with it (a later T record of the same thread replaces the first).
    out.setPreamble(() => {
      const w = workerScript();
      const file = w === undefined ? '?' : w === WORKER_EVAL ? '[eval]' : w;
      const base = file === '[eval]' ? '[eval]' : path.basename(file);
      return `["T",${threadId},"worker",${str(`worker #${threadId} ${base}`)},${osTid},${t0},${str(file)},${parentThread}]\n`;
    });
  }

  const filter = new UserFrameFilter(__dirname + path.sep);
  // TypeScript this runner compiled, else JavaScript with a source map of the script's own build.
  const mapPosition = (file: string, line: number, column: number) => mapToOriginal(file, line, column) ?? mapThroughSourceMap(file, line, column);
  const interner = new StackInterner(out, filter, { map: mapPosition, sourcelessLines, isOriginalPosition });
  const loop = new LoopMonitor(out, (config.blockMs ?? 10) * 1000);
  let compileStart = 0;
  observeCompiles((starting) => {
    if (starting) compileStart = now();
    else loop.runnerWork(compileStart, now(), 'TypeScript compile');
  });
  let tracing: import('node:trace_events').Tracing | undefined;
  let poolUsed = false;
  /**
   * The script's first pool-backed resource is being made, its work not yet submitted: the pool
   * starts now, under plain Node too. Only now are Node's trace events enabled, because their
   * writer writes its file through the pool: enabled earlier, they would start the pool before the
   * script's first line, with the size of that moment, and a script that sets UV_THREADPOOL_SIZE
   * itself would not get its pool. The size libuv reads now is the one the run record tells.
   */
  const onPoolUse = (): void => {
    poolUsed = true;
    const size = effectivePoolSize(process.env.UV_THREADPOOL_SIZE);
    if (size !== info.threadpoolSize) {
      info.threadpoolSize = size;
      // A later run record of the same process replaces the first one.
      out.write(`["R",${JSON.stringify(info)}]\n`);
    }
    if (!config.nodeTraceDir) return;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      tracing = (require('node:trace_events') as typeof import('node:trace_events')).createTracing({ categories: NODE_TRACE_CATEGORIES });
      tracing.enable();
    } catch (e) {
      runnerError('trace events', e);
    }
  };
  // Only the main thread: a Worker's process.env is its own copy, which libuv never reads, and Node
  // has no trace events in Workers.
  // In a Worker: the first resource of a type made once Node has set its file (in its top level)
  // queues the thread record naming the file, should the Worker be terminated before its top level
  // ends (which queues it too).
  const onNewType = isMain
    ? (type: string): void => {
        if (!poolUsed && poolFamilyOfType(type) !== undefined) onPoolUse();
      }
    : (): void => {
        if (workerScript() !== undefined) out.queuePreamble();
      };
  const recorder = new AsyncRecorder({ out, now, interner, loop, onError: runnerError, maxSites: config.maxSites, loaderThread: offThreadLoader, onNewType, captureLimit: config.captureLimit === undefined ? DEFAULT_CAPTURE_LIMIT : config.captureLimit, codeLine: generatedLine });

  // The runner's own async work (this timer, the tick below) is created before the hooks exist, so it is never recorded.
  const flushMs = config.flushMs && config.flushMs > 0 ? config.flushMs : 100;
  // A one-shot timer, rescheduled while there is something to write: once a flush finds nothing
  // new, it waits for the script's next callback to start it again (see AsyncRecorder.rearmFlush).
  // Unref'd, yet a timer that stays scheduled would keep the loop alive when the script leaves
  // Node's count of ref'd timers too high (a setTimeout that overflowed the stack halfway: Node
  // counts the timer before it is made, and not down when it fails), as it would an unref'd
  // timer of the script's own under plain Node.
  const timer = setTimeout(() => {
    const chunks = out.chunks;
    try {
      if (listenersRemoved) {
        listenersRemoved = false;
        restoreListeners();
      }
      loop.flushIdle(now());
      recorder.writeHeldWaits();
      recorder.agePromises();
      recorder.writeCuts();
      out.flush();
    } catch (e) {
      runnerError('flush', e);
    }
    if (out.chunks !== chunks) timer.refresh();
    else recorder.flushArmed = false;
  }, flushMs);
  timer.unref();
  recorder.rearmFlush = (): void => {
    // Rescheduling touches Node's timer lists: not where a stack overflow could leave them half updated.
    if (!hasStackRoom()) return;
    timer.refresh();
    recorder.flushArmed = true;
  };

  let finished = false;
  /** The script removed listeners of the runner's: they are added back at the next flush. */
  let listenersRemoved = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    try {
      const ts = now();
      recorder.writeHeldWaits();
      recorder.writeCuts();
      // A Worker that ends during its top level.
      nameWorkerTopLevel();
      loop.finish(ts);
      if (isMain && process.platform === 'linux') {
        info.osThreads = listOwnThreads();
        out.write(`["R",${JSON.stringify(info)}]\n`);
      }
      out.write(`["X",${threadId},${ts}]\n`);
      out.close();
      if (isMain) flushRunningWorkers();
    } catch {
      // Nothing more can be done this late.
    }
  };

  // The script's top level is one run of the loop; it ends when Node first drains the tick queue.
  // Given as a position in the original file (its first line): no source map, so no compile, needed.
  // A Worker's file is known only once its top level runs: its run is named when it ends.
  let topLevelNamed = isMain;
  const nameWorkerTopLevel = (): void => {
    if (topLevelNamed) return;
    topLevelNamed = true;
    const file = workerScript();
    if (file !== undefined) loop.nameRun(interner.internFrame(file, 1, 1, '', true));
    // The thread record with the Worker's file, now known: queued at once, so that it is written
    // with the rest should the Worker be terminated before its next flush.
    out.queuePreamble();
  };
  loop.enter(t0, isMain ? interner.internFrame(script, 1, 1, '', true) : 0);
  const endTopLevel = (): void => {
    nameWorkerTopLevel();
    loop.exit(now());
  };
  // Nothing of the runner's may be queued to run after the script's first line: the script would
  // see it (a `before` of its own async hooks with no `init`, and, for a tick, a
  // `processTicksAndRejections` frame in the stacks of its async functions, whose jobs would then
  // run from the tick queue's loop). A CommonJS entry's top level ends when Node marks its module
  // loaded. An ES module entry is evaluated in a later job of the microtask queue than one queued
  // now: that one ends the run (no tick: Node then runs the queue itself, with no frame of its own
  // in the script's stacks), before the module's first line. A Worker's run ends at the first tick.
  let watched = false;
  try {
    watched = isMain && entryIsCommonJsLoaded(script) && whenMainModuleLoaded(endTopLevel);
  } catch (e) {
    runnerError('top level', e);
  }
  if (watched) {
    // Ended by the main module.
  } else if (isMain) {
    queueMicrotask(endTopLevel);
  } else {
    process.nextTick(endTopLevel);
  }

  const onExit = (): void => {
    recorder.disable();
    finish();
  };
  listen('exit', onExit);
  // The script removed the listener above: from then on the thread's end is also seen where Node
  // emits 'exit', whatever listeners there are by then.
  let emitWatched = false;
  const watchExitEmit = (): void => {
    if (emitWatched) return;
    emitWatched = true;
    const original = process.emit;
    const methods = {
      emit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
        if (event === 'exit') {
          try {
            onExit();
          } catch {
            // The script's listeners still run.
          }
        }
        return Reflect.apply(original, this, [event, ...args]) as boolean;
      },
    };
    process.emit = lookLike(methods.emit, original) as typeof process.emit;
  };

  // Errors: observed without becoming a handler (a monitor does not change Node's crash semantics).
  const errorRecord = (kind: string, err: unknown): void => {
    try {
      const e = err as Error;
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(err);
      const stackText = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
      out.write(`["!",${str(kind)},${now()},${str(message)},${str(stackText)},${stackFromText(interner, stackText)}]\n`);
      recorder.writeHeldWaits();
      out.flush();
    } catch (x) {
      runnerError('error record', x);
    }
  };
  listen('uncaughtExceptionMonitor', (err: unknown, origin: string) => {
    errorRecord(origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException', err);
  });
  // When the script handles rejections itself Node never crashes, so the monitor does not fire: observe
  // alongside the script's handler, and only while it has one (ours alone would swallow the crash).
  const onRejection = (reason: unknown): void => errorRecord('unhandledRejection', reason);
  let observing = false;
  listen('newListener', (event: string | symbol, fn: unknown) => {
    // Called just before the script's listener is added: ours goes first, synchronously (a tick of
    // our own would show up in the trace as the script's).
    if (event === 'unhandledRejection' && !observing && fn !== onRejection) {
      observing = true;
      process.prependListener('unhandledRejection', onRejection);
    }
  });
  listen('removeListener', (event: string | symbol, fn: unknown) => {
    // A listener of the runner's removed by the script (`removeAllListeners`): added back at once,
    // so no signal finds the process without it. After `removeAllListeners()` with no event, which
    // then drops every listener at once, the next flush adds them back, and the thread's end is
    // seen where Node emits 'exit'.
    if (!finished && ownListeners.some((l) => l[0] === event && l[1] === fn)) {
      // Inside the script's own call: nothing of the runner's may throw out of it (a frozen `process`).
      try {
        if (fn === onExit) watchExitEmit();
        process.on(event, fn as (...args: unknown[]) => void);
        if (!listenersRemoved) {
          listenersRemoved = true;
          // After `removeAllListeners()` Node no longer handles signals in JavaScript (its own
          // listeners that start and stop them are gone too): a signal then ends the process as
          // SIGKILL does, so what is recorded so far is written now.
          recorder.writeHeldWaits();
          out.flush();
          recorder.rearmFlush?.();
        }
      } catch (e) {
        runnerError('listeners', e);
      }
    }
    if (event === 'unhandledRejection' && fn !== onRejection && observing && process.listenerCount('unhandledRejection') <= 1) {
      process.removeListener('unhandledRejection', onRejection);
      observing = false;
    }
  });

  if (isMain) {
    const signalListeners = new Map<string, () => void>();
    /** The loop ran dry and the runner's extra turn (below) has not ended yet. */
    let inSignalTurn = false;
    for (const sig of SIGNALS) {
      const onSignal = (): void => {
        tellSignalTaken(sig);
        try {
          tracing?.disable();
        } catch {
          // Node's trace file stays as it is.
        }
        if (process.listenerCount(sig) > 1) {
          if (inSignalTurn) {
            // Taken in the runner's extra turn (below): plain Node would have ended normally before
            // the script's handler saw it, so the process ends as it would have.
            recorder.disable();
            finish();
            process.exit();
          }
          // The script handles the signal itself: it decides what happens next.
          recorder.writeHeldWaits();
          out.flush();
          return;
        }
        recorder.disable();
        finish();
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      };
      signalListeners.set(sig, onSignal);
      listen(sig, onSignal);
    }
    watchOwnKills(signalListeners, () => finished);
    // A signal that arrives while the script runs synchronous code reaches the listeners above only
    // when the event loop polls again. If the loop has nothing left to do by then, Node exits
    // normally and the signal is lost, where plain Node (with no listener) would have ended the
    // process by it. So when the loop first runs dry, one more turn lets such a signal through; not
    // when the script listens to 'beforeExit' itself (the turn would emit it again).
    let signalTurn = false;
    listen('beforeExit', () => {
      if (signalTurn || process.listenerCount('beforeExit') > 1) return;
      signalTurn = true;
      inSignalTurn = true;
      recorder.ownWork = true;
      try {
        setImmediate(() => {
          inSignalTurn = false;
        });
      } finally {
        recorder.ownWork = false;
      }
    });
    // The CLI's pipe (only in the process the CLI started itself: in a child process of the script the same fd is something else).
    if (typeof config.parentFd === 'number' && config.cliPid === process.ppid) {
      watchParent(config.parentFd, () => {
        recorder.writeHeldWaits();
        out.flush();
      });
    }
  }

  // One listener of the runner's per event (exit, the signals, beforeExit…): the script's tenth of
  // its own must not be the one that makes Node warn of a leak.
  if (process.getMaxListeners() !== 0) process.setMaxListeners(process.getMaxListeners() + 1);

  // Last, so that the runner's own handles (the signal watchers above) are not recorded as the script's.
  try {
    recorder.enable(true);
  } catch (e) {
    runnerError('async hooks', e);
  }
  // Up to here the thread ran the runner's own start-up (on Node 20 also waiting for the hooks
  // thread), the error, signal and parent watches and the hooks included: not the script's.
  const ready = now();
  if (ready - t0 >= 1000) loop.runnerWork(t0, ready, offThreadLoader ? 'TypeScript loader' : 'preload');
}

/**
 * Under plain Node, `process.kill(process.pid, sig)` with no listener of `sig` ends the process
 * before `kill` returns. The runner's listener would let the script run on to the end of its
 * synchronous code first (Node handles a signal with listeners in its event loop). So `process.kill`
 * is wrapped: a signal the script sends itself, with no listener of its own, first runs the runner's
 * listener (which writes the trace's end, removes itself and sends the signal again, now with its
 * default action); any other call goes to Node's function unchanged.
 */
function watchOwnKills(signalListeners: Map<string, () => void>, finished: () => boolean): void {
  const original = process.kill;
  const numbers = (require('node:os') as typeof import('node:os')).constants.signals as Record<string, number>;
  const own = (pid: unknown, signal: unknown): void => {
    if (finished() || Number(pid) !== process.pid) return;
    // As Node reads it: an integer is a signal number (0 sends none), anything else a name, SIGTERM when falsy.
    let name: unknown = signal;
    if (typeof signal === 'number' && signal === (signal | 0)) name = [...signalListeners.keys()].find((s) => numbers[s] === signal);
    else if (!signal) name = 'SIGTERM';
    const listener = typeof name === 'string' ? signalListeners.get(name) : undefined;
    if (listener === undefined || process.listenerCount(name as string) !== 1 || !process.listeners(name as NodeJS.Signals).includes(listener)) return;
    listener();
  };
  const methods = {
    kill(this: unknown, ...args: unknown[]): boolean {
      try {
        own(args[0], args[1]);
      } catch {
        // Node's function still sends the signal.
      }
      return Reflect.apply(original, this, args) as boolean;
    },
  };
  process.kill = lookLike(methods.kill, original) as typeof process.kill;
}

/** Channel through which each Worker hands its trace buffer to the thread that started it. */
const BUFFERS_CHANNEL = 'concurrency-diagram.runner.worker-buffers';

/** Exits of Workers whose buffer has not come (yet) that are remembered; older ones are forgotten. */
const MAX_EARLY_EXITS = 256;

/**
 * `worker.terminate()` stops a Worker's JS at once, so its records queued since its last flush (up
 * to the flush interval, all of them for a Worker terminated that young) would never be written.
 * So each Worker queues its records in shared memory (a TraceWriter made `shared`) and hands that
 * memory over a BroadcastChannel to the thread that started it; that thread, when it sees the
 * Worker's 'exit' event (emitted once the Worker's thread has stopped, so nothing writes the buffer
 * any more), writes whatever is still queued there. A Worker that ended normally flushed everything
 * itself: nothing is left. Each thread holds the buffers of its own live Workers; the main thread
 * also those of every other live Worker, which it writes when the process ends before they do
 * (the function returned, called from the main thread's end).
 * The channel and the listener are made before the async hooks are enabled: never recorded.
 */
function shareLeftovers(wt: typeof import('node:worker_threads'), out: TraceWriter, threadId: number, parentThread: number, tracePath: string): () => void {
  const Channel = wt.BroadcastChannel;
  if (typeof Channel !== 'function') return () => {};
  const buffers = new Map<number, SharedArrayBuffer>();
  // A Worker that exits before its buffer was received: written as soon as it is.
  const earlyExits = new Set<number>();
  // The main thread: the buffers of every Worker still running, at any depth (a Worker may outlive
  // the Worker that started it), written when the process ends before they do.
  const running = wt.isMainThread ? new Map<number, SharedArrayBuffer>() : undefined;
  const channel = new Channel(BUFFERS_CHANNEL);
  channel.unref();
  channel.onmessage = (e: unknown) => {
    const m = (e as { data?: { parent?: unknown; threadId?: unknown; buffer?: unknown; gone?: unknown } }).data;
    if (!m || typeof m.threadId !== 'number') return;
    if (m.gone === true) {
      running?.delete(m.threadId);
      return;
    }
    if (!(m.buffer instanceof SharedArrayBuffer)) return;
    if (m.parent !== threadId) {
      running?.set(m.threadId, m.buffer);
      return;
    }
    if (earlyExits.delete(m.threadId)) TraceWriter.flushShared(tracePath, m.buffer);
    else {
      buffers.set(m.threadId, m.buffer);
      running?.set(m.threadId, m.buffer);
    }
  };
  const gone = (id: number): void => {
    if (running !== undefined) running.delete(id);
    else channel.postMessage({ threadId: id, gone: true });
  };
  listen('worker', (w: import('node:worker_threads').Worker) => {
    // Read now: once the Worker has exited its threadId is -1.
    const id = w.threadId;
    // First among the 'exit' listeners: one of the script's may end the process.
    w.prependOnceListener('exit', () => {
      const b = buffers.get(id);
      if (b) {
        buffers.delete(id);
        TraceWriter.flushShared(tracePath, b);
        gone(id);
        return;
      }
      earlyExits.add(id);
      if (earlyExits.size > MAX_EARLY_EXITS) earlyExits.delete(earlyExits.values().next().value as number);
    });
  });
  if (out.shared) {
    const sender = new Channel(BUFFERS_CHANNEL);
    sender.postMessage({ parent: parentThread, threadId, buffer: out.shared });
    sender.close();
  }
  // The process ends: Workers still running are stopped without a last flush of their own. Each
  // may be in the middle of one: waited for, briefly.
  return () => {
    if (running === undefined) return;
    for (const b of running.values()) TraceWriter.flushShared(tracePath, b, RUNNING_WORKER_WAIT_MS);
    running.clear();
  };
}

/** How long the main thread, as the process ends, waits for a Worker in the middle of writing a chunk, ms. */
const RUNNING_WORKER_WAIT_MS = 50;

/** Interns the user frames of an error's stack text (`at fn (file:line:col)` lines). */
function stackFromText(interner: StackInterner, text: string): number {
  const re = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/gm;
  let first = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // With Node's source maps on, the text already shows original positions.
    const id = interner.internTextFrame(m[2], Number(m[3]), Number(m[4]), m[1] ?? '', process.sourceMapsEnabled === true);
    if (id !== 0) {
      first = id;
      break;
    }
  }
  return first;
}

try {
  const g = globalThis as { [GUARD]?: boolean };
  if (!g[GUARD]) {
    Object.defineProperty(g, GUARD, { value: true, enumerable: false });
    start();
  }
  // Loaded with --require, the recorder would be in the script's `require.cache`: it needs no entry.
  if (typeof module === 'object' && require.cache[module.id] === module) delete require.cache[module.id];
} catch (e) {
  try {
    process.stderr.write(`concurrency-diagram: the runner could not start (${(e as Error)?.message ?? e}); the script runs unrecorded\n`);
  } catch {
    // Nothing else to do.
  }
}

/**
 * The OS threads of this process (`/proc/self/task`, Linux) as `[tid, comm]`. Read as the main thread
 * ends: libuv's pool threads are still there then, also those of a pool used for a few ms only,
 * which the CLI's sampling of the same folder can miss.
 */
function listOwnThreads(): [number, string][] {
  const threads: [number, string][] = [];
  try {
    for (const name of fs.readdirSync('/proc/self/task')) {
      let comm = '';
      try {
        comm = fs.readFileSync(`/proc/self/task/${name}/comm`, 'utf8').trim();
      } catch {
        continue; // Ended between the listing and this read.
      }
      threads.push([Number(name), comm]);
    }
  } catch {
    // No /proc here: the CLI's samples are all there is.
  }
  return threads;
}
