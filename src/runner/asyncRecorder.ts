/**
 * Records async operations (async_hooks: I/B/A/D records) and async function calls and async
 * generator objects as task lanes (v8.promiseHooks: N/W/U/E records) of one JS thread, and feeds
 * the loop monitor.
 *
 * Cost model (see the benchmark): promises are never given a stack capture each. A parentless
 * promise is either an async function's own promise (created at its call, with the function itself
 * as the top frame, positioned at its parameter list) or a `new Promise`/`Promise.resolve` and the
 * like; one short capture tells them apart and yields the task's name and call site at once.
 * Awaits are recognised from the promise hook stream alone: an await creates a promise (V8's
 * "throwaway") while its async function is the one running, and that promise's before/after hooks
 * bracket the function's resumption.
 */
import * as asyncHooks from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import { AgingMap } from './agingMap';
import { captureCallSites, type CallSite, type StackInterner } from './callSites';
import type { CaptureLimit } from '../trace/format';
import type { Clock } from './clock';
import type { LoopMonitor } from './loopMonitor';
import { makeRejectedReader, type RejectedReader } from './promiseState';
import { str, TagCode, type TraceWriter } from './traceWriter';

/** Types whose user frame can lie far below Node's and undici's frames (fetch → getaddrinfo is ~45 deep). */
const DEEP_TYPES = new Set(['GETADDRINFOREQWRAP', 'GETNAMEINFOREQWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP', 'TCPWRAP', 'TLSWRAP', 'HTTPCLIENTREQUEST', 'QUERYWRAP']);

/**
 * Frequent internal types that take their source from their trigger, or from the callback running,
 * instead of a capture of their own; only where neither gives one (in an async function, where the
 * capture is cached by place, and in top-level code) are they captured.
 * FILEHANDLE is made by Node's C++ when an `open` of `fs.promises` completes, with no JavaScript on the
 * stack and no trigger, so a capture can never find a user frame for it: it takes its open's source
 * (see {@link AsyncRecorder.releaseHandle}).
 */
const INHERIT_TYPES = new Set([
  'FILEHANDLE',
  'TickObject',
  'Microtask',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
  'HTTPINCOMINGMESSAGE',
  'ELDHISTOGRAM',
  'STREAM_END_OF_STREAM',
  'SIGNALWRAP',
  'TTYWRAP',
  'PIPEWRAP',
  'JSSTREAM',
]);

/** Resources that live on after their first callback (handles); everything else ends with its callback. */
const LONG_LIVED_TYPES = new Set([
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'TTYWRAP',
  'UDPWRAP',
  'SIGNALWRAP',
  'PROCESSWRAP',
  'FSEVENTWRAP',
  'STATWATCHER',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
  'ZLIB',
  'FILEHANDLE',
  'MESSAGEPORT',
  'WORKER',
  'DNSCHANNEL',
  'TLSWRAP',
  'ELDHISTOGRAM',
  'JSSTREAM',
  'HTTP2SESSION',
  'HTTP2STREAM',
  'HTTPPARSER',
  'Timeout',
]);

/** Entries of the young generation of a promise map (see {@link AgingMap}) after which it ages at once. */
const MAX_YOUNG_PROMISES = 100_000;

/** Live resources tracked at most; the oldest are forgotten beyond it (bounded memory). */
const MAX_LIVE = 100_000;

/**
 * A task's wait that ends within this many µs, with no macrotask callback starting in between, is
 * not recorded: its wait record is held back when it suspends and dropped with the resume record.
 * Longer waits, and waits still open when a macrotask callback starts or the trace is flushed, are
 * written with their true start time.
 */
const SHORT_WAIT_US = 10;

/** Held-back wait records at most; beyond it they are all written out. */
const MAX_HELD_WAITS = 256;

/** Frames searched for a function that may have returned (see {@link AsyncRecorder.returnedAfterThen}). */
const RETURN_CHECK_FRAMES = 24;

/** Frames searched first, before {@link RETURN_CHECK_FRAMES}. */
const RETURN_CHECK_NEAR = 6;

/** Fruitless top-level captures in promise jobs after which such jobs are no longer searched (see {@link AsyncRecorder.topLevelSource}). */
const TOP_LEVEL_JOB_MISSES = 256;

/**
 * Captures of ticks and microtasks in the callbacks of one kind (see {@link AsyncRecorder.sourceInCallback})
 * that may find no user frame, more than found one, before such callbacks are no longer searched.
 */
const CALLBACK_MISSES = 8;

/**
 * Promises with a parent that a module body's run after a top-level await may make, found not to be
 * its next await by a capture each, before the rest of the run is no longer searched (see
 * {@link AsyncRecorder.noteModuleAwait}).
 */
const MODULE_RUN_MISSES = 32;

/** Module bodies waiting to start that are remembered at most (see {@link AsyncRecorder.unstartedBodies}). */
const MAX_UNSTARTED_BODIES = 1024;

/** Captures in jobs that may find no module body starting, before they are no longer taken (see {@link AsyncRecorder.noteStartingModuleAwait}). */
const MODULE_START_MISSES = 256;

/** Where a module body waits at a top-level await: the awaited expression, and its file at line 1, column 1 (stack ids). */
interface ModuleAwait {
  source: number;
  file: number;
}

/** Frames kept per stack. */
const KEEP_FRAMES = 4;

/** Frames searched for an async generator's body below the hook (see {@link AsyncRecorder.nameGen}). */
const GEN_NAME_FRAMES = 32;

/** An async generator function: its name and position (see {@link functionPosition}). */
interface GenFunction {
  name: string;
  fn: string;
}

/** This file: the wrappers of the async generator methods run here (see {@link AsyncRecorder.nameGen}). */
const RECORDER_FILE = typeof __filename === 'string' ? __filename : '';

/** A running or suspended async function call (a task lane when `id` > 0, an internal one when 0). */
interface Ctx {
  id: number;
  promise: object;
  running: boolean;
  stackId: number;
  /** Which answer of {@link AsyncRecorder.classify} made it (part of the cache key of its own calls). */
  siteId: number;
  /** When it suspended, while its wait record is held back (see {@link SHORT_WAIT_US}); -1 when none is. */
  waitTs: number;
  /** It is in {@link AsyncRecorder.heldWaits}. */
  held: boolean;
  /** Its function's position (see {@link SiteInfo.fn}). */
  fn: string;
  /** It made a `.then` promise in its current run and may have returned it since (see {@link AsyncRecorder.returnedAfterThen}). */
  thenMade: boolean;
  /** Cache key of the place of that `.then` (-1 when it has none). */
  thenKey: number;
  /**
   * Where its current run starts, as part of cache keys: 0 for its first run, else what it awaited
   * ({@link awaitedFrom}) and how many runs came before (up to {@link KEY_RUNS} - 1): two runs after
   * alike awaits are told apart by their number, so straight-line code after each await has keys of
   * its own, and only a loop's later rounds share theirs.
   */
  resumedFrom: number;
  /**
   * What it is suspended at: the site id of the function whose promise it awaits, or
   * {@link PLAIN_AWAIT} + the await's ordinal for any other promise or a value.
   */
  awaitedFrom: number;
  /** Runs so far after its first (resumptions). */
  resumes: number;
  /** Parentless promises made in its current run so far. */
  ordinal: number;
  /** Site id of the last of them (0 = none yet). */
  lastSite: number;
  /** Async resources created in its current run so far. */
  initOrdinal: number;
  /**
   * Where it was called from, as a classification cache key (0 for a user task, whose site already
   * names its call site; -1 when unknown: its resources then always get a capture of their own).
   */
  placeKey: number;
  /** Whether its current run may use the caches: see {@link RunCheck}. */
  runCheck: RunCheck;
  /**
   * For an internal function (id 0): the source of the first resource with a user frame made while
   * it ran, else its caller's. Its resources made where no user frame is on the stack (after its
   * own awaits) take it when their trigger gives none: the user's call that started the work.
   */
  origin: number;
  /**
   * For an internal function (id 0): the task whose code called it, directly or through other
   * internal functions (0 when none). The script's async functions it calls after its own awaits,
   * when that task is no longer on the stack (a library's `retry(fn)` calling `fn` again), are
   * nested under that task.
   */
  task: number;
  /** For an async generator object's lane: its state (undefined for an async function call). */
  gen: GenState | undefined;
}

/** Where an async generator object is (see {@link GenState}). */
const enum GenPhase {
  /** Made, never asked for a value. */
  New = 0,
  /** Its body runs, or waits at an `await`. */
  Active = 1,
  /** Suspended at a `yield` until the consumer asks for the next value. */
  Parked = 2,
  /** Returned or threw (or not followed). */
  Done = 3,
}

/**
 * The lane of an async generator object. V8's promise hooks see the promise of each request
 * (`next`, `return`, `throw`) and the awaits of the body, but not which generator object they
 * belong to: the recorder wraps the three methods of `AsyncGenerator.prototype` for that (see
 * {@link AsyncRecorder.wrapGenerators}). Its id is -1 until its function's name is known.
 */
interface GenState {
  phase: GenPhase;
  /** Requests made and not settled yet (the consumer may ask again before a value came). */
  queued: number;
  /** Its generator function's `prototype` (the prototype of its objects): names the function. */
  proto: object;
  /** When it was first asked for a value, and the task running then (for its N record). */
  startTs: number;
  parentTask: number;
  /** The last request to another async generator made in its current run (what a `yield*` awaits). */
  lastRequest: object | undefined;
  /** Its current run resumed from an await of that request: the other generator's state. */
  delegate: GenState | undefined;
  /** Its held wait is a park at a `yield`. */
  yielded: boolean;
  /**
   * It resumed (at {@link resumedAt}) from a wait held since `heldFrom` whose records are not written
   * yet (-1 when none): a `yield` awaits its operand first, and when the run turns out to be the
   * one that hands the value over, that wait is part of the park.
   */
  heldFrom: number;
  resumedAt: number;
  /** Resumed by `return(value)`: its next await is the one of that value, part of the return. */
  unwrapNext: boolean;
  /** Its current wait is such an await: left out when it ends before a macrotask. */
  silent: boolean;
}

/** A new lane for an async generator object of the function whose `prototype` is `proto`; not started. */
function newGenCtx(proto: object): Ctx {
  const gen: GenState = { phase: GenPhase.New, queued: 0, proto, startTs: 0, parentTask: 0, lastRequest: undefined, delegate: undefined, yielded: false, heldFrom: -1, resumedAt: 0, unwrapNext: false, silent: false };
  return { id: -1, promise: proto, running: false, stackId: 0, siteId: 0, fn: '', thenMade: false, thenKey: -1, waitTs: -1, held: false, resumedFrom: 0, awaitedFrom: 0, resumes: 0, ordinal: 0, lastSite: 0, initOrdinal: 0, placeKey: -1, runCheck: RunCheck.Confirmed, origin: 0, task: 0, gen };
}

/**
 * The requests to async generators that are not followed (Node's own, as the async iterator of a
 * stream): never done, so that a `yield*` over one is told from a return (see {@link AsyncRecorder.onGenSettled}).
 */
const OTHER_GEN: Ctx = newGenCtx({});
(OTHER_GEN.gen as GenState).phase = GenPhase.Parked;

/**
 * A loop's rounds after the first {@link KEY_RUNS} - 1 share their cache keys, and so does the run
 * that leaves the loop: `for (…) await step(x); await finish();` makes `finish()`'s promise with the
 * key of `step(x)`'s. The same happens below that many rounds when a loop's length differs from call
 * to call: the run after round n is a further round on some calls and the exit on others. So these
 * runs check their first promise against the cached place (one small capture, see
 * {@link AsyncRecorder.placeSig}) before they use the caches: a loop's later rounds, and every run of
 * a function (called from one place) once two of its calls made different promises at one point of
 * a run. Resources they make before that get a capture of their own.
 */
const enum RunCheck {
  /** Its keys are its own (one of its function's first runs), or its first promise matched. */
  Confirmed = 0,
  /** A run to check (see above): nothing checked yet. */
  Unchecked = 1,
  /** Its first promise was made elsewhere than the cached one's: this run uses no cache. */
  Diverged = 2,
}

/** File of Node's dispatcher of promise hooks: its frames come first when several hooks are installed. */
const PROMISE_HOOKS_FILE = 'node:internal/promise_hooks';

/** What a parentless promise is. */
const enum SiteKind {
  Other = 0,
  Task = 1,
  Internal = 2,
  Combinator = 3,
  /** A request to an async generator (its `next`, `return` or `throw`): the stack id is the call's. */
  Request = 4,
}

/** The classification of a parentless promise, interned. */
interface SiteInfo {
  id: number;
  kind: SiteKind;
  name: string;
  nameJson: string;
  stackId: number;
  /** The async function's own position (`file:line:column` of its start), '' when not an async function. */
  fn: string;
}

/** A cached classification for one place inside a task. */
interface Site extends SiteInfo {
  trusted: boolean;
  uses: number;
  unstable: boolean;
  /** Where the promise was made (see {@link AsyncRecorder.placeSig}), once a checked run used this key. */
  sig: string | undefined;
}

/** This realm's own Promise.prototype and reflection functions, taken before the script can change them. */
const PROMISE_PROTOTYPE: object = Promise.prototype;
const getPrototypeOf = Object.getPrototypeOf;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
/** Answers of {@link isSubclassPromise} by prototype. */
const subclassPrototypes = new WeakMap<object, boolean>();

/**
 * Whether `p` was made by a subclass of Promise (Node's own `SafePromise`, a library's class): never
 * an async function's promise, which is always a plain promise of its realm, nor the result of a
 * combinator of a realm's own Promise. A capture would say the same (its top frame is the Promise
 * constructor, called through `super`) at the price of a stack capture, and Node's `fs.promises`
 * makes several such promises per call. Node's safe classes cut their prototype off from Promise's,
 * so the test is the other way round: any prototype but a realm's own Promise.prototype (whose
 * `constructor` is a function named `Promise`; another realm's too: a `vm` context's async functions).
 */
export function isSubclassPromise(p: object): boolean {
  const proto = getPrototypeOf(p) as object | null;
  if (proto === PROMISE_PROTOTYPE) return false;
  if (proto === null) return true;
  let answer = subclassPrototypes.get(proto);
  if (answer === undefined) {
    // A data property is read as it is: no getter of the script's runs.
    const ctor = getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
    answer = !(typeof ctor === 'function' && getOwnPropertyDescriptor(ctor, 'name')?.value === 'Promise');
    subclassPrototypes.set(proto, answer);
  }
  return answer;
}

/** Whether `e` is V8's RangeError for a full stack (`Maximum call stack size exceeded`). */
function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message.includes('call stack');
}

/** The functions the runner put in place of the script's built-ins, and what each one replaced. */
const replaced = new WeakMap<Function, Function>();

/**
 * Makes `Function.prototype.toString` give a wrapper the source text of the function it replaced
 * (`function clearTimeout(timer) {…}`, `function next() { [native code] }`): code that tells a
 * built-in from a replacement by its text (`isNative` checks) sees no difference. Its own text is
 * the original's too.
 */
function maskSources(): void {
  const original = Function.prototype.toString;
  const methods = {
    toString(this: unknown): string {
      return Reflect.apply(original, (typeof this === 'function' && replaced.get(this)) || this, []) as string;
    },
  };
  replaced.set(methods.toString, original);
  Object.defineProperty(methods.toString, 'name', { value: original.name, configurable: true });
  Object.defineProperty(methods.toString, 'length', { value: original.length, configurable: true });
  Function.prototype.toString = methods.toString;
}

/**
 * Gives a wrapper the name, length and source text of the function it wraps (Node's timer methods
 * are anonymous).
 */
export function lookLike(wrapper: Function, original: Function): Function {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  if (!replaced.has(Function.prototype.toString)) maskSources();
  replaced.set(wrapper, original);
  return wrapper;
}

/** The prototypes of Node's Timeout and Immediate objects, from a timer of each cleared at once. */
function probeTimerPrototypes(): object[] {
  const timeout = setTimeout(() => undefined, 0);
  clearTimeout(timeout);
  const immediate = setImmediate(() => undefined);
  clearImmediate(immediate);
  return [Object.getPrototypeOf(timeout) as object, Object.getPrototypeOf(immediate) as object];
}

/**
 * Ids of the PROMISE operations the recorder makes itself (async_hooks gives promises no id unless
 * it tracks every promise): far above any async id Node hands out in a run, within an int32.
 */
const PROMISE_OP_FIRST_ID = 1_500_000_000;

/** A `.then` recorded as a PROMISE operation. */
interface ReactionOp {
  id: number;
  stackId: number;
  /** The callback source before its run (restored after it). */
  outerStack: number;
}

/** A cached yes/no answer for one place inside a task (of isThenCall and returnedAfterThen). */
interface CachedAnswer {
  answer: boolean;
  trusted: boolean;
  uses: number;
  unstable: boolean;
}

/**
 * Records a fresh answer for `key`: the first is kept untrusted, a second that agrees makes it
 * trusted, one that differs marks the place unstable (never trusted again).
 */
function learn(cache: Map<number, CachedAnswer>, max: number, key: number, cached: CachedAnswer | undefined, answer: boolean): void {
  if (cached === undefined) {
    if (cache.size >= max) cache.clear();
    cache.set(key, { answer, trusted: false, uses: 0, unstable: false });
  } else if (cached.answer === answer && !cached.unstable) {
    cached.trusted = true;
  } else {
    cached.unstable = true;
    cached.trusted = false;
  }
}

/** A cached source of the resources made at one place inside an async function. */
interface InitSite {
  stackId: number;
  trusted: boolean;
  uses: number;
  unstable: boolean;
}

/** {@link learn} for a cached source: a fresh `stackId` found for `key`. */
function learnSource(cache: Map<string, InitSite>, max: number, key: string, cached: InitSite | undefined, stackId: number): void {
  if (cached === undefined) {
    if (cache.size >= max) cache.clear();
    cache.set(key, { stackId, trusted: false, uses: 0, unstable: false });
  } else if (cached.stackId === stackId && !cached.unstable) {
    cached.trusted = true;
  } else {
    cached.unstable = true;
    cached.trusted = false;
  }
}

/** A trusted cached classification is re-checked with a real capture once in this many uses. */
const RECHECK_EVERY = 256;

/**
 * Whether a trusted answer is re-checked by a capture at this use of it: at the 4th, 8th, 16th …
 * 128th, then every {@link RECHECK_EVERY}th. A place whose answer changes after its first calls
 * (a branch taken one way by the first calls of a function, the other way later) is found out
 * within about as many uses as went before, not only at the 256th.
 */
function recheckDue(uses: number): boolean {
  return uses < RECHECK_EVERY ? uses >= 4 && (uses & (uses - 1)) === 0 : uses % RECHECK_EVERY === 0;
}

/** Default bound on the classification caches and the site table (see {@link AsyncRecorderOptions.maxSites}). */
const MAX_SITES = 50_000;

/**
 * Bounds of the parts of a numeric cache key (beyond them the key is a string, see {@link runKey}):
 * site ids (ids are never reused, so a long run can pass this bound), {@link Ctx.resumedFrom} and
 * ordinals (promises made in one run); the key stays below 2^52.
 */
const KEY_SITES = 1 << 16;
const KEY_RESUMED = 1 << 27;
const KEY_ORDINALS = 1 << 9;
/** Base of {@link Ctx.awaitedFrom} for awaits of promises no followed function made: above every site id in a key. */
const PLAIN_AWAIT = KEY_SITES;
/**
 * Runs of one call told apart by their number: a loop's rounds up to this many have keys of their
 * own, so the run that leaves the loop is told apart from one more round by its key; later rounds
 * share theirs, and each is checked before it uses them (see {@link RunCheck}).
 */
const KEY_RUNS = 1024;

/** Options of the recorder. */
export interface AsyncRecorderOptions {
  out: TraceWriter;
  now: Clock;
  interner: StackInterner;
  loop: LoopMonitor;
  /** Called when a hook failed; the hooks are disabled after repeated failures. */
  onError: (where: string, e: unknown) => void;
  /** Bound on the site table and the classification caches (default {@link MAX_SITES}; small in tests). */
  maxSites?: number;
  /**
   * Node 20's module hooks thread serves this thread (the runner registered its TypeScript loader
   * with `module.register`): the message ports Node makes to talk to it exist only because of the
   * runner, so they are not recorded.
   */
  loaderThread?: boolean;
  /**
   * Called once for each async resource type the first time one is made on this thread, before it
   * does any work (the preload starts Node's trace events at the first pool-backed one).
   */
  onNewType?: (type: string) => void;
  /** The overhead limit of this thread's stack captures (see {@link CaptureLimit}); null or absent: none. */
  captureLimit?: CaptureLimit | null;
  /** A line (1-based) of the code V8 runs for a file (the emitted JavaScript of compiled TypeScript), if readable. */
  codeLine?: (file: string, line: number) => string | undefined;
}

/** Where Node's module loader functions are (see {@link AsyncRecorder.dropLoaderCtxs}). */
const LOADER_FUNCTIONS = 'node:internal/modules/';

/** Node's module that talks to the module hooks thread (Node 20). */
const LOADER_HOOKS_FILE = 'node:internal/modules/esm/hooks';

/** Records this thread's async resources and async function calls. */
export class AsyncRecorder {
  private readonly out: TraceWriter;
  private readonly now: Clock;
  private readonly interner: StackInterner;
  private readonly loop: LoopMonitor;
  private readonly onError: (where: string, e: unknown) => void;

  private readonly typeIds = new Map<string, number>();
  private readonly onNewType: ((type: string) => void) | undefined;
  /** Capture time allowed before any share of the thread's time (µs), and that share; floor < 0: no limit. */
  private readonly captureFloorUs: number;
  private readonly captureShare: number;
  /** When the recorder started on this thread (µs), and what its stack captures took since. */
  private startUs = 0;
  private captureUs = 0;
  private captures = 0;
  /**
   * 0: promises are followed (tasks, PROMISE operations, captures); 1: the limit was passed, and
   * following stops at the next hook event, where no analysis is half done; 2: stopped.
   */
  private followState = 0;
  /** The last {@link capture} was not taken, being over the limit: its empty answer is not to be cached. */
  private captureSkipped = false;
  /** When the running hook event took its first capture (µs), or -1. */
  private analysisStart = -1;
  /** asyncId → stackId * 2 + (ends with its callback ? 1 : 0). */
  private readonly live = new Map<number, number>();
  private useDestroy = false;
  /** Node's own key of a timer object's async id (found on the first timer cleared; see onClear). */
  private asyncIdKey: symbol | undefined;
  private hook: asyncHooks.AsyncHook | undefined;
  private stopPromiseHooks: (() => void) | undefined;
  private errors = 0;
  /**
   * Hook events cut short (see {@link cutShort}); async resources recorded after such a cut with
   * the source they inherit, and resources not recorded; and what the last `G` record said.
   */
  private cuts = 0;
  private unsourcedResources = 0;
  private lostResources = 0;
  private cutsWritten = 0;
  private droppedWritten = 0;
  /** Stack of the async_hooks callback running now (source of resources without a user frame). */
  private currentStack = 0;
  /** Cache-key prefix of the async_hooks callback running now (its resource's type and source), if any. */
  private cbTag: string | undefined;
  /** The macrotask callback running is a one-shot resource's (see {@link sourceInCallback}). */
  private cbOneShot = false;
  /** Promises and resources made by that callback so far. */
  private cbOrdinal = 0;

  private readonly ctxStack: Ctx[] = [];
  /** Tasks whose wait record is held back (or was, and has since been dropped or written). */
  private readonly heldWaits: Ctx[] = [];
  private readonly siteCache = new Map<number | string, Site>();
  private readonly initCache = new Map<string, InitSite>();
  private readonly thenCache = new Map<number, CachedAnswer>();
  /** Answers of {@link returnedAfterThen}: is the function still running at the next promise after its `.then`. */
  private readonly returnCache = new Map<number, CachedAnswer>();
  /** Cache key of the last isThenCall (-1 when it had none). */
  private lastThenKey = -1;
  private readonly sites = new Map<string, SiteInfo>();
  /** By site id: 1 once calls from it made different promises at one point of a run (see {@link RunCheck}). */
  private readonly checkedSites = new Uint8Array(KEY_SITES);
  private nextSiteId = 1;
  private readonly maxSites: number;
  private readonly loaderThread: boolean;
  private readonly marks: number[] = [];
  // Emptied as promises resume and settle; a promise that does neither is held only for a while
  // (see AgingMap): its reactions hold the variables of the functions awaiting it.
  private readonly taskOf = new AgingMap<object, Ctx>(MAX_YOUNG_PROMISES);
  private readonly awaitOf = new AgingMap<object, Ctx>(MAX_YOUNG_PROMISES);
  private nextTaskId = 1;
  /** An init whose parent was the running function's own promise: an await wrapper or an await of its returned promise. */
  private pendingPromise: object | undefined;
  private pendingCtx: Ctx | undefined;
  /** Result promise of a Promise combinator (`Promise.all` …) whose element `then`s are being created. */
  private combinator: object | undefined;
  /**
   * Cache-key prefix of the promise job running now, when no async function is running in it: the
   * tag of the place that made the job's promise (a `.then` in a task, a callback or another job).
   * Jobs made at the same place tend to do the same things, like callbacks of one kind; -1 when none.
   */
  private jobTag = -1;
  /** Promises and resources made by that job so far. */
  private jobOrdinal = 0;
  /** `.then` promises not run yet → the tag of the place that made them (see {@link jobTag}). */
  private readonly reactionTags = new AgingMap<object, number>(MAX_YOUNG_PROMISES);
  private readonly tagIds = new Map<string, number>();
  private nextTag = 0;
  private readonly placeIds = new Map<number | string, number>();
  private nextPlaceId = 0;
  /** `.then` promises recorded as PROMISE operations whose callback has not run yet. */
  private readonly reactionOps = new AgingMap<object, ReactionOp>(MAX_YOUNG_PROMISES);
  /** The PROMISE operation whose callback runs now. */
  private runningOp: ReactionOp | undefined;
  private nextPromiseOpId = PROMISE_OP_FIRST_ID;
  /** A FILEHANDLE just made, held back until the next hook event tells its source (see {@link releaseHandle}). */
  private heldHandle: { asyncId: number; typeId: number; triggerId: number; ts: number } | undefined;
  /** Captures left for {@link topLevelSource} in promise jobs that find no user frame. */
  private jobMissesLeft = TOP_LEVEL_JOB_MISSES;
  /**
   * The top-level awaits of ES module bodies not resumed yet: the promise whose job resumes a body →
   * where (see {@link noteFirstModuleAwait}, {@link noteModuleAwait}).
   */
  private readonly moduleAwaits = new WeakMap<object, ModuleAwait>();
  /** Entries of {@link moduleAwaits}, so that jobs look there only while there are any. */
  private moduleAwaitsOpen = 0;
  /** While a job resumes a module body: the length of {@link marks} in that job; -1 otherwise. */
  private moduleRunMark = -1;
  /** The await that body resumed from. */
  private moduleFrom: ModuleAwait = { source: 0, file: 0 };
  /** Promises with a parent made at the level of that body's run so far, and captures of them that found no body. */
  private moduleOrdinal = 0;
  private moduleMisses = 0;
  /** Past {@link MODULE_RUN_MISSES}: the last promise with a parent made at the level of the body's run. */
  private moduleLast: object | undefined;
  /**
   * Files of module bodies with top-level await made (at their module's instantiation) that have not
   * been seen at an await yet: one may start in a job of its own (see {@link noteStartingModuleAwait}).
   */
  private readonly unstartedBodies = new Set<string>();
  /** Captures left for {@link noteStartingModuleAwait} that may find no module body. */
  private bodyStartMissesLeft = MODULE_START_MISSES;
  /** Answers of {@link noteModuleAwait} by place (the await the body resumed from, the promise's ordinal): a source, or 0. */
  private readonly moduleAwaitCache = new Map<string, InitSite>();
  /** The frame that made the promise, when the last {@link isThenCall} took a capture (null: none found); undefined when it did not. */
  private thenFrame: CallSite | null | undefined;
  /** Callback tag → fruitless captures of ticks and microtasks there, less fruitful ones (see {@link sourceInCallback}). */
  private readonly callbackMisses = new Map<string, number>();
  /** The task whose promise settled last, while its end record waits for the promise's state (see writeEnd). */
  private endingPromise: Promise<unknown> | undefined;
  private endingTask = 0;
  private endingTs = 0;
  /** Whether a task's settled promise was rejected (1), fulfilled (0) or cannot be told (-1). */
  private rejected: RejectedReader = () => -1;
  /** `AsyncGenerator.prototype` (the prototype of every async generator function's `prototype`). */
  private asyncGenProto: object | undefined;
  /** The lanes of async generator objects, by object. */
  private readonly genCtxs = new WeakMap<object, Ctx>();
  /** Async generator functions by their `prototype`: name and position, or null when not the script's. */
  private readonly genFunctions = new WeakMap<object, GenFunction | null>();
  /** The generator whose request promise is about to be made (its wrapped method runs), or {@link OTHER_GEN}. */
  private pendingGen: Ctx | undefined;
  /** The call site of the last request classified (see {@link requestSite}). */
  private requestStack = 0;
  /** Answers by place of a run: did a generator's request settle with its body on the stack (a return or throw)? */
  private readonly genEndCache = new Map<number, CachedAnswer>();
  private readonly codeLine: ((file: string, line: number) => string | undefined) | undefined;
  /** Per place in a generator's run: whether a settle by its body is at a `yield*` (see settlesAtYieldStar). */
  private readonly genYieldCache = new Map<number, CachedAnswer>();

  constructor(o: AsyncRecorderOptions) {
    this.out = o.out;
    this.now = o.now;
    this.interner = o.interner;
    this.loop = o.loop;
    this.onError = o.onError;
    this.maxSites = o.maxSites !== undefined && o.maxSites > 0 ? o.maxSites : MAX_SITES;
    this.loaderThread = o.loaderThread === true;
    this.onNewType = o.onNewType;
    this.codeLine = o.codeLine;
    const limit = o.captureLimit;
    this.captureFloorUs = limit ? limit.floorMs * 1000 : -1;
    this.captureShare = limit ? limit.share : 0;
  }

  /** Installs the hooks. */
  enable(withTasks: boolean): void {
    this.startUs = this.now();
    const trackPromisesOff = supportsTrackPromisesOff();
    // The destroy hook makes Node track every promise for GC unless promises are left out (Node ≥ 24.9):
    // without it, one-shot resources end with their callback instead.
    this.useDestroy = trackPromisesOff;
    // Every hook below is guarded twice: an exception of the recorder's own must never leave a hook
    // (Node ends the process for one out of an async hook, and a promise hook's would be thrown at
    // the script), also when the first handler runs out of stack too (see cutShort).
    const init = (asyncId: number, type: string, triggerId: number, resource: object): void => {
      if (type === 'PROMISE') return;
      try {
        if (this.followState === 1) this.stopFollowing();
        this.onInit(asyncId, type, triggerId, resource, init);
        if (this.analysisStart >= 0) this.endAnalysis();
      } catch (e) {
        try {
          this.initCut(e, asyncId, type, triggerId, resource);
        } catch {
          this.cuts++;
          this.lostResources++;
        }
      }
    };
    const callbacks: asyncHooks.HookCallbacks & { trackPromises?: boolean } = {
      init,
      before: (asyncId) => {
        try {
          if (this.followState === 1) this.stopFollowing();
          const v = this.live.get(asyncId);
          if (this.heldHandle !== undefined) this.releaseHandle(this.openerSource(v));
          if (this.marks.length === 0 && this.ctxStack.length > 0) this.dropLoaderCtxs();
          // A macrotask callback starts: a wait still open spans it, so it is real.
          if (this.heldWaits.length > 0) this.writeHeldWaits();
          else if (this.endingPromise !== undefined) this.writeEnd();
          if (v === undefined) return;
          if (!this.flushArmed) this.rearmFlush?.();
          const ts = this.now();
          this.out.rec2(TagCode.Before, asyncId, ts);
          const stackId = Math.floor(v / 512);
          this.currentStack = stackId;
          // Code run by callbacks of the same kind of resource from the same source tends to do the same things.
          this.cbTag = `c${v >>> 1}`;
          this.cbOrdinal = 0;
          this.cbOneShot = (v & 1) === 1;
          this.loop.enter(ts, stackId);
        } catch (e) {
          try {
            this.cutShort('before', e);
          } catch {
            this.cuts++;
          }
        }
      },
      after: (asyncId) => {
        try {
          if (this.heldHandle !== undefined) this.releaseHandle(0);
          const v = this.live.get(asyncId);
          if (v === undefined) return;
          const ts = this.now();
          this.out.rec2(TagCode.After, asyncId, ts);
          this.loop.exit(ts);
          this.currentStack = 0;
          this.cbTag = undefined;
          this.cbOneShot = false;
          if (!this.useDestroy && (v & 1) === 1) {
            this.live.delete(asyncId);
            this.out.rec2(TagCode.Destroy, asyncId, ts);
          }
        } catch (e) {
          try {
            this.cutShort('after', e);
          } catch {
            this.cuts++;
          }
        }
      },
      trackPromises: false,
    };
    if (this.useDestroy) {
      callbacks.destroy = (asyncId) => {
        try {
          if (this.heldHandle !== undefined) this.releaseHandle(0);
          if (!this.live.delete(asyncId)) return;
          this.out.rec2(TagCode.Destroy, asyncId, this.now());
        } catch (e) {
          try {
            this.cutShort('destroy', e);
          } catch {
            this.cuts++;
          }
        }
      };
    }
    // Made before the hooks exist, so these probes are never recorded.
    const timerPrototypes = this.useDestroy ? [] : probeTimerPrototypes();
    this.hook = asyncHooks.createHook(callbacks).enable();
    if (!this.useDestroy) this.watchClears(timerPrototypes);
    if (withTasks && v8.promiseHooks) this.enableTasks();
  }

  /**
   * Without the destroy hook, a timer cleared before it fired would never end in the trace (drawn
   * as waiting to the end of the run). So the global `clearTimeout`, `clearInterval` and
   * `clearImmediate` (also as exports of `node:timers`) are wrapped, and so are the methods that
   * clear a timer through Node's own function (`timeout.close()`, `timeout[Symbol.dispose]()`,
   * `immediate[Symbol.dispose]()`): each call still goes to Node's function, unchanged, and a timer
   * the recorder knows ends there.
   */
  private watchClears(timerPrototypes: object[]): void {
    const onClear = (t: unknown): void => this.onClear(t);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const timers = require('node:timers') as Record<string, unknown>;
    const g = globalThis as unknown as Record<string, unknown>;
    for (const name of ['clearTimeout', 'clearInterval', 'clearImmediate']) {
      const original = g[name];
      if (typeof original !== 'function') continue;
      // A method of an object literal is no constructor, like the original.
      const wrapper = lookLike(
        {
          [name](this: unknown, ...args: unknown[]): unknown {
            try {
              onClear(args[0]);
            } catch {
              // No stack left for the recorder: Node's function still clears the timer.
            }
            return Reflect.apply(original, this, args);
          },
        }[name],
        original,
      );
      g[name] = wrapper;
      if (timers[name] === original) timers[name] = wrapper;
    }
    const dispose = (Symbol as unknown as { dispose?: symbol }).dispose;
    for (const proto of timerPrototypes) {
      for (const key of ['close', dispose]) {
        if (key === undefined || !Object.prototype.hasOwnProperty.call(proto, key)) continue;
        const original = (proto as Record<string | symbol, unknown>)[key];
        if (typeof original !== 'function') continue;
        const methods: Record<string | symbol, unknown> = {
          [key](this: unknown, ...args: unknown[]): unknown {
            try {
              onClear(this);
            } catch {
              // No stack left for the recorder: Node's function still clears the timer.
            }
            return Reflect.apply(original, this, args);
          },
        };
        (proto as Record<string | symbol, unknown>)[key] = lookLike(methods[key] as Function, original);
      }
    }
  }

  private onClear(t: unknown): void {
    try {
      if (t === null || typeof t !== 'object' || this.hook === undefined) return;
      // Timeout and Immediate objects carry their async id under a symbol of Node's: no table of our own.
      this.asyncIdKey ??= Object.getOwnPropertySymbols(t).find((k) => k.description === 'asyncId');
      const asyncId = this.asyncIdKey === undefined ? undefined : (t as Record<symbol, unknown>)[this.asyncIdKey];
      // Only a resource still live ends here: a timer that already fired has ended with its callback.
      if (typeof asyncId === 'number' && this.live.delete(asyncId)) this.out.rec2(TagCode.Destroy, asyncId, this.now());
    } catch (e) {
      try {
        this.cutShort('clear', e);
      } catch {
        this.cuts++;
      }
    }
  }

  /**
   * Lets go of promises that stayed pending since the call before last (see {@link AgingMap}):
   * called at each flush of the trace.
   */
  agePromises(): void {
    this.taskOf.age();
    this.awaitOf.age();
    this.reactionTags.age();
    this.reactionOps.age();
  }

  /**
   * Whether the periodic flush is scheduled; when not, the next callback of a recorded resource to
   * start calls {@link rearmFlush} (set by the preload, which owns the timer).
   */
  flushArmed = true;
  rearmFlush: (() => void) | undefined;

  /** While set, the resources made are the runner's own: not recorded. */
  ownWork = false;

  /** Removes the hooks (idempotent). */
  disable(): void {
    try {
      this.hook?.disable();
      this.stopPromiseHooks?.();
    } catch {
      // Already gone.
    }
    this.hook = undefined;
    this.stopPromiseHooks = undefined;
  }

  private fail(where: string, e: unknown): void {
    this.errors++;
    this.onError(where, e);
    if (this.errors >= 20) this.disable();
  }

  /**
   * A hook's work was cut short by an exception. Most often the script made the resource or the
   * promise deep in a recursion, close to the stack limit, where the recorder's own calls (a stack
   * capture, a record) overflow: that is counted ({@link writeCuts}), never reported as an error nor
   * a reason to stop recording, since the next event may well have stack enough. Any other
   * exception is the recorder's own failure ({@link fail}). Called in a `catch`, itself guarded:
   * when even this call overflows, the caller only counts. True for a stack overflow.
   */
  private cutShort(where: string, e: unknown): boolean {
    // A capture's time cannot be told any more: it is left out of the overhead limit's count.
    this.analysisStart = -1;
    if (isStackOverflow(e)) {
      this.cuts++;
      return true;
    }
    this.fail(where, e);
    return false;
  }

  /**
   * An async resource whose `init` was cut short (see {@link cutShort}): recorded with what is known
   * without looking at the stack, the source its trigger or the callback running gives, unless it
   * was recorded before the cut.
   */
  private initCut(e: unknown, asyncId: number, type: string, triggerId: number, resource: object): void {
    const overflow = this.cutShort('init', e);
    if (this.ownWork || this.live.has(asyncId)) return;
    const typeId = this.typeId(type);
    const t = this.live.get(triggerId);
    const stackId = (t !== undefined ? Math.floor(t / 512) : 0) || this.currentStack;
    const oneShot = !LONG_LIVED_TYPES.has(type) || (type === 'Timeout' && (resource as { _repeat?: unknown })._repeat == null);
    this.out.rec5(TagCode.Init, asyncId, typeId, triggerId, this.now(), stackId);
    this.live.set(asyncId, (stackId * 256 + Math.min(typeId, 255)) * 2 + (oneShot ? 1 : 0));
    if (overflow) this.unsourcedResources++;
  }

  /**
   * Writes a `G` record when hook events were cut short, or records dropped, since the last one:
   * called where the stack is the event loop's own (each flush, the thread's end).
   */
  writeCuts(): void {
    const dropped = this.out.dropped;
    if (this.cuts === this.cutsWritten && dropped === this.droppedWritten) return;
    this.cutsWritten = this.cuts;
    this.droppedWritten = dropped;
    this.out.write(`["G",${this.now()},${this.cuts},${this.unsourcedResources},${this.lostResources},${dropped}]\n`);
  }

  /**
   * A stack capture of `limit` frames above `skip`, timed against the overhead limit with the
   * analysis of its frames (V8 computes a frame's position only when asked, at a cost that grows
   * with the function's size): the time counts from the hook event's first capture to its end
   * ({@link endAnalysis}). Past the limit, the recorder stops following promises at its next hook
   * event ({@link stopFollowing}); after that, the sources of new resources are still captured, but
   * only while the captures are within the limit again: beyond it, no capture is taken
   * ({@link captureSkipped}, the answer "no user frame").
   */
  private capture(limit: number, skip: Function): CallSite[] {
    const t0 = this.now();
    if (this.followState !== 0 && this.overLimit(t0)) {
      this.captureSkipped = true;
      return [];
    }
    this.captureSkipped = false;
    if (this.analysisStart < 0) this.analysisStart = t0;
    this.captures++;
    return captureCallSites(limit, skip);
  }

  /** At the end of a hook event that took captures: their time, and whether the limit is passed. */
  private endAnalysis(): void {
    const t = this.now();
    this.captureUs += t - this.analysisStart;
    this.analysisStart = -1;
    if (this.followState === 0 && this.overLimit(t)) this.followState = 1;
  }

  /** Whether the stack captures so far took more than the limit allows at `ts`. */
  private overLimit(ts: number): boolean {
    return this.captureFloorUs >= 0 && this.captureUs > this.captureFloorUs + this.captureShare * (ts - this.startUs);
  }

  /**
   * Captures `limit` frames above `skip`, and `first`, the index of the first one past Node's
   * dispatcher of promise hooks (with several promise hooks installed, Node calls them through it,
   * and its frames then come first). `whole`: the stack had fewer frames than were asked for, so a
   * longer capture would read the same ones.
   */
  private captureAboveHooks(limit: number, skip: Function): { sites: CallSite[]; first: number; whole: boolean } {
    let sites = this.capture(limit, skip);
    let read = limit;
    if (sites.length > 0 && sites[0].getFileName() === PROMISE_HOOKS_FILE) sites = this.capture((read = limit + 2), skip);
    let first = 0;
    while (first < sites.length && sites[first].getFileName() === PROMISE_HOOKS_FILE) first++;
    return { sites, first, whole: sites.length < read };
  }

  /**
   * Stops following promises, for good, once the stack captures passed the overhead limit: a script
   * whose promises are each made at a new place (a loop at top level, a `for await` over many lines)
   * would otherwise pay a capture per promise and run many times slower. Called at the start of a
   * hook event, so no analysis is half done. What is pending is written first; then an `O` record
   * tells the reader to cut the tasks and PROMISE operations still open, since what they do next is
   * not seen. Async resources are still recorded, with the sources they inherit without a capture.
   */
  private stopFollowing(): void {
    this.followState = 2;
    if (this.endingPromise !== undefined) this.writeEnd();
    this.writeHeldWaits();
    const ts = this.now();
    this.out.write(`["O",${ts},${Math.round(this.captureUs / 100) / 10},${this.captures}]\n`);
    try {
      // Node 20 to 24.8 have only our hooks at V8's level (installOnlyOurPromiseHooks): take them out
      // there too. Node's own stop would install its dispatcher again, with its tracking of every promise.
      if (!this.useDestroy) installOnlyOurPromiseHooks({});
      this.stopPromiseHooks?.();
    } catch (e) {
      this.onError('stop following promises', e);
    }
    this.stopPromiseHooks = undefined;
    this.ctxStack.length = 0;
    this.marks.length = 0;
    this.moduleRunMark = -1;
    this.moduleLast = undefined;
    this.heldWaits.length = 0;
    this.jobTag = -1;
    this.runningOp = undefined;
    this.pendingPromise = undefined;
    this.pendingCtx = undefined;
    this.combinator = undefined;
    this.pendingGen = undefined;
  }

  /** A promise hook event after the limit was passed: the first one stops following, and none is followed after. */
  private leaveFollowing(): void {
    if (this.followState === 1) this.stopFollowing();
  }

  private typeId(type: string): number {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.typeIds.size + 1;
      this.typeIds.set(type, id);
      this.out.write(`["Y",${id},${str(type)}]\n`);
      this.onNewType?.(type);
    }
    return id;
  }

  private onInit(asyncId: number, type: string, triggerId: number, resource: object, skip: Function): void {
    if (this.ownWork) return;
    if (this.loaderThread && type === 'MESSAGEPORT' && this.capture(3, skip).some((cs) => cs.getFileName() === LOADER_HOOKS_FILE)) return;
    if (this.heldHandle !== undefined) this.releaseHandle(0);
    const ts = this.now();
    const typeId = this.typeId(type);
    let stackId = 0;
    const inherits = INHERIT_TYPES.has(type);
    if (!inherits) stackId = this.sourceOf(typeId, DEEP_TYPES.has(type) ? 120 : 16, skip);
    // In the callback of a one-shot resource the script caused (a timer's, an fs request's: most
    // often a function of the script's), a tick or microtask is most often made by the script's code
    // (a `process.nextTick`, an `http.get`'s socket setup): its line, cached by place, names it better
    // than the callback's registration. Where it finds none, the trigger's is used. Callbacks of
    // handles (a socket's reads) run Node's stream code, which makes many ticks: not searched.
    else if (this.cbOneShot && this.marks.length === 0 && this.currentStack !== 0 && type !== 'FILEHANDLE') stackId = this.sourceInCallback(typeId, skip);
    if (stackId === 0) {
      // No user frame of its own: it was caused by whatever caused its trigger, or by the code running
      // now (a callback's registration, an internal function's user call, a task's call).
      const t = this.live.get(triggerId);
      stackId = (t !== undefined ? Math.floor(t / 512) : 0) || this.currentStack;
      // FILEHANDLE is made with no JavaScript on the stack.
      if (stackId === 0 && inherits && type !== 'FILEHANDLE') {
        const top = this.ctxStack[this.ctxStack.length - 1];
        // Inside an async function (the script's, or Node's running the script's module) the line that
        // made it is found like any resource's, cached by place: not the function's call site.
        if (top !== undefined && top.running) stackId = this.sourceOf(typeId, 16, skip);
        else if (this.ctxStack.length === 0 && this.cbTag === undefined) stackId = this.topLevelSource(skip);
      }
      if (stackId === 0) stackId = this.runningOrigin();
    } else {
      this.noteOrigin(stackId);
    }
    let oneShot = !LONG_LIVED_TYPES.has(type);
    if (type === 'Timeout' && (resource as { _repeat?: unknown })._repeat == null) oneShot = true;
    if (this.live.size >= MAX_LIVE) {
      // Forget the oldest (e.g. handles of a long-running server that were never destroyed).
      let n = MAX_LIVE / 10;
      for (const k of this.live.keys()) {
        this.live.delete(k);
        if (--n <= 0) break;
      }
    }
    if (stackId === 0 && type === 'FILEHANDLE') {
      this.heldHandle = { asyncId, typeId, triggerId, ts };
      return;
    }
    // Recorded first: a resource in `live` has its record (see initCut).
    this.out.rec5(TagCode.Init, asyncId, typeId, triggerId, ts, stackId);
    this.live.set(asyncId, (stackId * 256 + Math.min(typeId, 255)) * 2 + (oneShot ? 1 : 0));
  }

  /**
   * A FILEHANDLE is made by Node's C++ when an `open` of `fs.promises` completes, with no JavaScript
   * on the stack and no trigger; right after it, the same completion runs the callback of that
   * open's request (FSREQPROMISE). So it is held back until the next hook event: when that is the
   * callback of an FSREQPROMISE, the handle takes the request's source (the line that opened the
   * file, or for `readFile` and the like the line that called it); after anything else, none.
   */
  private releaseHandle(stackId: number): void {
    const h = this.heldHandle;
    if (h === undefined) return;
    this.heldHandle = undefined;
    this.live.set(h.asyncId, (stackId * 256 + Math.min(h.typeId, 255)) * 2);
    this.out.rec5(TagCode.Init, h.asyncId, h.typeId, h.triggerId, h.ts, stackId);
  }

  /** The source of the resource whose callback starts, when it is an open's request (see {@link releaseHandle}). */
  private openerSource(v: number | undefined): number {
    if (v === undefined) return 0;
    return Math.floor(v / 2) % 256 === this.typeIds.get('FSREQPROMISE') ? Math.floor(v / 512) : 0;
  }

  /**
   * The source (stack id) of a resource being created. Inside a running async function the answer
   * is cached by place, like the classification of promises: which function, called from where,
   * resumed from which await, how many resources it made since, and of which type. Two captures
   * must agree before the cache is trusted, and it is re-checked now and then (see {@link recheckDue}).
   */
  private sourceOf(typeId: number, limit: number, skip: Function, thenCall = false): number {
    const top = this.ctxStack[this.ctxStack.length - 1];
    let key: string | undefined;
    let cached: InitSite | undefined;
    if (top !== undefined && top.running) {
      // A loop's later round uses cached sources only once its first promise matched (see RunCheck).
      if (top.placeKey >= 0 && top.runCheck === RunCheck.Confirmed) key = `${top.placeKey}|${top.siteId}|${top.resumedFrom}|${top.initOrdinal++}|${typeId}`;
    } else if (this.cbTag !== undefined && this.marks.length === 0) {
      key = `${this.cbTag}|${this.cbOrdinal++}|${typeId}`;
    } else if (this.jobTag >= 0) {
      key = `j${this.jobTag}|${this.jobOrdinal++}|${typeId}`;
    }
    if (key !== undefined) {
      cached = this.initCache.get(key);
      if (cached !== undefined && cached.unstable && top !== undefined && top.running) {
        // As in onParentless: a place whose answer varies is told apart by the run's last promise.
        key = `${key}~${top.lastSite}`;
        cached = this.initCache.get(key);
      }
      if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) return cached.stackId;
    }
    const sites = this.capture(limit, skip);
    if (this.captureSkipped) return 0;
    let stackId = thenCall && !this.userThen(sites) ? 0 : this.interner.intern(sites, 0, KEEP_FRAMES);
    // Made by Node's own async function after one of its awaits, the script's frames on the stack are
    // only those of its awaits (V8's async frames): the call that started the function is its source.
    if (stackId !== 0 && this.firstUserFrameWaits(sites)) stackId = this.runningOrigin() || stackId;
    if (key !== undefined) learnSource(this.initCache, this.maxSites, key, cached, stackId);
    return stackId;
  }

  /**
   * Whether a promise with a parent comes from a `then` (also behind `catch` and `finally`) that the
   * script's own code called. Node's and libraries' code calls `then` too (inside `fetch`, a
   * stream's async iterator), and the awaits of Node's async generators make such
   * promises as well: none of these is a `.then` of the script's.
   */
  private userThen(sites: CallSite[]): boolean {
    let i = 0;
    while (i < sites.length && sites[i].getFileName() === PROMISE_HOOKS_FILE) i++;
    const f0 = sites[i];
    if (f0 === undefined || f0.getFileName() != null || f0.getFunctionName() !== 'then') return false;
    for (i++; i < sites.length; i++) if (sites[i].getFileName() != null) return this.interner.isUserSite(sites[i]);
    return false;
  }

  /** Whether the first of the script's frames is an async one: a function waiting at an `await`, not running. */
  private firstUserFrameWaits(sites: CallSite[]): boolean {
    for (const cs of sites) if (this.interner.isUserSite(cs)) return typeof cs.isAsync === 'function' && cs.isAsync();
    return false;
  }

  /**
   * The source of a tick or microtask made in a macrotask callback, from a capture cached by place.
   * Callbacks of Node's own (a socket's reads) make many, none with a user frame on the stack: after
   * {@link CALLBACK_MISSES} more such captures than fruitful ones, callbacks of that kind (the
   * resource's type and source) are no longer searched.
   */
  private sourceInCallback(typeId: number, skip: Function): number {
    const tag = this.cbTag as string;
    const misses = this.callbackMisses.get(tag) ?? 0;
    if (misses >= CALLBACK_MISSES) return 0;
    this.captureSkipped = false;
    const stackId = this.sourceOf(typeId, 16, skip);
    // A capture not taken (over the overhead limit) tells nothing of the callback.
    if (stackId === 0 && !this.captureSkipped) {
      if (this.callbackMisses.size >= this.maxSites) this.callbackMisses.clear();
      this.callbackMisses.set(tag, misses + 1);
    } else if (misses > 0) {
      this.callbackMisses.set(tag, misses - 1);
    }
    return stackId;
  }

  /**
   * The source of a resource that would inherit one but finds none, made where no callback or async
   * function runs. That is the script's top-level code: the tick by which `server.listen(port, host)`
   * opens its socket, the root of everything the server then does, has no trigger and no user frame of
   * its own. Node runs CommonJS top-level code directly, and ES modules (Node 24+, and any after a
   * top-level `await`) in a promise job, which looks like the jobs of Node's and libraries' own
   * promises: those find no user frame, so after {@link TOP_LEVEL_JOB_MISSES} such captures in jobs,
   * jobs are no longer searched.
   */
  private topLevelSource(skip: Function): number {
    const inJob = this.marks.length > 0;
    if (inJob && this.jobMissesLeft <= 0) return 0;
    const stackId = this.interner.intern(this.capture(16, skip), 0, KEEP_FRAMES);
    if (stackId === 0 && inJob && !this.captureSkipped) this.jobMissesLeft--;
    return stackId;
  }

  /** No callback, promise job or async function is running: the script's top-level code (or Node's own between callbacks). */
  private atTopLevel(): boolean {
    return this.marks.length === 0 && this.ctxStack.length === 0 && this.cbTag === undefined;
  }

  /**
   * A macrotask callback starts while functions are still taken as running: only legitimate when
   * it is called synchronously from one (`AsyncResource.runInAsyncScope`). Node's own module loader
   * functions never do that, yet Node 26 evaluates an ES module entry inside a microtask checkpoint
   * that it runs synchronously within its entry function (`asyncRunEntryPointWithESMLoader`), and
   * that function's await is then not seen: it stayed "running" for the whole run, so every resource
   * made in a callback was looked up under it, found no cache key, and took a stack capture of its
   * own (40,000 instead of 25,000 on W4). Such functions are taken as waiting again here.
   */
  private dropLoaderCtxs(): void {
    const s = this.ctxStack;
    let kept = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c.id === 0 && c.fn.startsWith(LOADER_FUNCTIONS)) c.running = false;
      else s[kept++] = c;
    }
    s.length = kept;
  }

  private runningTaskStack(): number {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) if (this.ctxStack[i].id !== 0) return this.ctxStack[i].stackId;
    return 0;
  }

  /** The innermost running task's call site, or an internal function's origin above it, or 0. */
  private runningOrigin(): number {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) {
      const c = this.ctxStack[i];
      if (c.id !== 0) return c.stackId;
      if (c.origin !== 0) return c.origin;
    }
    return 0;
  }

  /** A resource with a user frame was made: the running internal functions without an origin take its source. */
  private noteOrigin(stackId: number): void {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) {
      const c = this.ctxStack[i];
      if (c.id !== 0 || c.origin !== 0) return;
      c.origin = stackId;
    }
  }

  // ---- task lanes -------------------------------------------------------------------------------

  private enableTasks(): void {
    // Made before the hooks exist: it makes promises of its own.
    this.rejected = makeRejectedReader();
    // Guarded like the async hooks (see enable): an exception out of a promise hook would be thrown
    // at the script's code that made or settled the promise.
    const init = (p: Promise<unknown>, parent: Promise<unknown> | undefined): void => {
      try {
        if (this.followState !== 0) return this.leaveFollowing();
        if (this.endingPromise !== undefined) this.writeEnd();
        if (this.pendingPromise !== undefined) this.resolvePending(undefined, parent);
        const top = this.ctxStack[this.ctxStack.length - 1];
        if (top !== undefined) {
          if (top.thenMade) this.returnedAfterThen(top, init);
          if (top.gen !== undefined && top.running) this.genEvent(top, init);
        }
        if (parent === undefined) {
          this.combinator = undefined;
          if (this.pendingGen !== undefined) this.onGenRequest(p, init);
          else this.onParentless(p, init);
        } else if (this.combinator === undefined || parent === this.combinator) {
          this.combinator = undefined;
          this.onChild(p, parent, init);
        }
        if (this.analysisStart >= 0) this.endAnalysis();
      } catch (e) {
        try {
          this.cutShort('promise init', e);
        } catch {
          this.cuts++;
        }
      }
    };
    const settled = (p: Promise<unknown>): void => {
      try {
        if (this.followState !== 0) return this.leaveFollowing();
        if (this.endingPromise !== undefined) this.writeEnd();
        if (this.pendingPromise !== undefined) this.resolvePending(p);
        const ctx = this.taskOf.get(p);
        if (ctx === undefined) return;
        this.taskOf.delete(p);
        if (ctx.gen !== undefined) {
          try {
            this.onGenSettled(ctx, p, settled);
          } catch (e) {
            this.cutShort('generator settled', e);
          }
          if (this.analysisStart >= 0) this.endAnalysis();
          return;
        }
        this.remove(ctx);
        ctx.running = false;
        if (ctx.id !== 0) {
          const ts = this.now();
          if (ctx.waitTs >= 0) {
            if (ts - ctx.waitTs > SHORT_WAIT_US) this.writeWait(ctx);
            ctx.waitTs = -1;
          }
          // V8 runs this hook before the promise takes its state: the end is written at the next hook.
          this.endingTask = ctx.id;
          this.endingPromise = p;
          this.endingTs = ts;
        }
      } catch (e) {
        try {
          this.cutShort('promise settled', e);
        } catch {
          this.cuts++;
        }
      }
    };
    const hooks: v8.HookCallbacks = {
      init,
      before: (p) => {
        try {
          if (this.followState !== 0) return this.leaveFollowing();
          this.combinator = undefined;
          if (this.endingPromise !== undefined) this.writeEnd();
          if (this.pendingPromise !== undefined) this.resolvePending(undefined);
          const ts = this.now();
          this.marks.push(this.ctxStack.length);
          const ctx = this.awaitOf.get(p);
          let stackId = 0;
          this.jobTag = -1;
          if (ctx === undefined && this.reactionTags.size > 0) {
            const tag = this.reactionTags.get(p);
            if (tag !== undefined) {
              this.reactionTags.delete(p);
              this.jobTag = tag;
              this.jobOrdinal = 0;
            }
          }
          if (ctx === undefined && this.reactionOps.size > 0) {
            const op = this.reactionOps.get(p);
            if (op !== undefined) {
              this.reactionOps.delete(p);
              this.out.rec2(TagCode.Before, op.id, ts);
              // Resources made by the callback are caused by the code that registered it.
              op.outerStack = this.currentStack;
              this.currentStack = op.stackId;
              this.runningOp = op;
              stackId = op.stackId;
            }
          }
          if (ctx !== undefined) {
            this.awaitOf.delete(p);
            this.resume(ctx, ts);
            stackId = ctx.stackId;
          } else if (this.moduleAwaitsOpen > 0) {
            const from = this.moduleAwaits.get(p);
            if (from !== undefined) {
              // An ES module's body resumes after a top-level await: what runs is the body, from that await.
              this.moduleAwaits.delete(p);
              this.moduleAwaitsOpen--;
              this.moduleRunMark = this.marks.length;
              this.moduleFrom = from;
              this.moduleOrdinal = 0;
              this.moduleMisses = 0;
              this.moduleLast = undefined;
              stackId = from.source;
            }
          }
          this.loop.enter(ts, stackId || this.runningTaskStack());
        } catch (e) {
          try {
            this.cutShort('promise before', e);
          } catch {
            this.cuts++;
          }
        }
      },
      after: () => {
        try {
          if (this.followState !== 0) return this.leaveFollowing();
          if (this.endingPromise !== undefined) this.writeEnd();
          if (this.pendingPromise !== undefined) this.resolvePending(undefined);
          this.jobTag = -1;
          const ts = this.now();
          const op = this.runningOp;
          if (op !== undefined) {
            this.runningOp = undefined;
            this.currentStack = op.outerStack;
            this.out.rec2(TagCode.After, op.id, ts);
            this.out.rec2(TagCode.Destroy, op.id, ts);
          }
          const len = this.marks.pop();
          if (len !== undefined) {
            // Anything still marked running returned a pending promise without awaiting: it now waits for it.
            for (let i = this.ctxStack.length - 1; i >= len; i--) this.suspend(this.ctxStack[i], ts);
            // Never lengthen it: the run may have suspended functions below its mark.
            if (this.ctxStack.length > len) this.ctxStack.length = len;
          }
          if (this.moduleRunMark > this.marks.length) this.endModuleRun();
          this.loop.exit(ts);
        } catch (e) {
          try {
            this.cutShort('promise after', e);
          } catch {
            this.cuts++;
          }
        }
      },
      settled,
    };
    this.stopPromiseHooks = <() => void>v8.promiseHooks.createHook(hooks);
    if (!this.useDestroy) installOnlyOurPromiseHooks(hooks);
    this.wrapGenerators();
  }

  /** A function's run resumes (`ts`): after an await (a promise job), or a generator's after its `yield` (a request). */
  private resume(ctx: Ctx, ts: number): void {
    ctx.running = true;
    ctx.resumes++;
    ctx.resumedFrom = ctx.awaitedFrom * KEY_RUNS + Math.min(ctx.resumes, KEY_RUNS - 1);
    const checked = ctx.resumes >= KEY_RUNS - 1 || (ctx.siteId < KEY_SITES && this.checkedSites[ctx.siteId] === 1);
    ctx.runCheck = checked ? RunCheck.Unchecked : RunCheck.Confirmed;
    ctx.ordinal = 0;
    ctx.lastSite = 0;
    ctx.initOrdinal = 0;
    ctx.thenMade = false;
    this.ctxStack.push(ctx);
    if (ctx.id <= 0) return;
    const gen = ctx.gen;
    if (gen !== undefined && ctx.waitTs >= 0 && !gen.yielded) {
      // Held back until the run shows whether it hands a value over (see GenState.heldFrom).
      gen.heldFrom = ctx.waitTs;
      gen.resumedAt = ts;
      ctx.waitTs = -1;
      return;
    }
    if (ctx.waitTs < 0) this.out.rec2(TagCode.TaskResume, ctx.id, ts);
    else if (ts - ctx.waitTs <= SHORT_WAIT_US) ctx.waitTs = -1;
    else {
      this.writeWait(ctx);
      ctx.waitTs = -1;
      this.out.rec2(TagCode.TaskResume, ctx.id, ts);
    }
    if (gen !== undefined) gen.yielded = false;
  }

  /** A promise is made while the generator `ctx` runs: it gets its name first, and writes its held resumption. */
  private genEvent(ctx: Ctx, skip: Function): void {
    if (ctx.id < 0) this.nameGen(ctx, skip);
    const gen = ctx.gen as GenState;
    if (gen.heldFrom >= 0 && ctx.id > 0) this.writeResume(ctx);
  }

  /**
   * A promise without a parent: an async function call (a task), or `new Promise`, `Promise.all`…
   * Inside a running task the answer is cached by where in that task it happens (which call site
   * the task came from, which await it resumed from, how many such promises it made since), so a
   * loop body pays for a stack capture only on its first rounds; a cached answer is re-checked by a
   * real capture now and then (see {@link recheckDue}), and a place that ever answers differently is
   * never trusted again.
   */
  private onParentless(p: Promise<unknown>, skip: Function): void {
    const top = this.ctxStack[this.ctxStack.length - 1];
    let key: number | string | undefined;
    let cached: Site | undefined;
    if (top !== undefined && top.running) {
      if (top.runCheck !== RunCheck.Diverged) key = runKey(top);
    } else if (this.cbTag !== undefined && this.marks.length === 0) {
      key = `${this.cbTag}|${this.cbOrdinal++}`;
    } else if (this.jobTag >= 0 && this.jobOrdinal < KEY_ORDINALS) {
      // Negative: apart from the keys of tasks.
      key = -(this.jobTag * KEY_ORDINALS + this.jobOrdinal++) - 1;
    }
    const running = top !== undefined && top.running ? top : undefined;
    let checkedSig: string | undefined;
    let taskBefore = false;
    if (key !== undefined) {
      cached = this.siteCache.get(key);
      if (cached !== undefined && cached.unstable && running !== undefined) {
        // The place answers differently from run to run (a branch earlier in the run): tell its runs
        // apart by what the run's previous such promise was.
        key = `${key}~${running.lastSite}`;
        cached = this.siteCache.get(key);
      }
      taskBefore = cached !== undefined && cached.kind === SiteKind.Task;
      if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) {
        if (running === undefined || running.runCheck === RunCheck.Confirmed) {
          if (running !== undefined) running.lastSite = cached.id;
          this.apply(p, cached, key);
          return;
        }
        const sig = this.placeSig(skip);
        if (cached.sig === sig) {
          running.runCheck = RunCheck.Confirmed;
          running.lastSite = cached.id;
          this.apply(p, cached, key);
          return;
        }
        if (cached.sig === undefined) {
          // Learnt before runs here were checked: the classification below decides, and gives the
          // answer its place if it agrees.
          checkedSig = sig;
        } else {
          // The run left the loop whose rounds share this key: classified afresh, and nothing learnt.
          running.runCheck = RunCheck.Diverged;
          key = undefined;
          cached = undefined;
        }
      }
    }
    const site = isSubclassPromise(p) ? this.site(SiteKind.Other, '', 0) : this.classify(skip, taskBefore);
    if (running !== undefined) running.lastSite = site.id;
    if (key !== undefined) {
      const shared = running !== undefined && running.runCheck === RunCheck.Unchecked;
      if (shared) running.runCheck = cached === undefined || cached.id === site.id ? RunCheck.Confirmed : RunCheck.Diverged;
      if (cached === undefined) {
        if (this.siteCache.size >= this.maxSites) this.siteCache.clear();
        this.siteCache.set(key, { ...site, trusted: false, uses: 0, unstable: false, sig: shared ? (checkedSig ?? this.placeSig(skip)) : undefined });
      } else if (cached.id === site.id && !cached.unstable) {
        cached.trusted = true;
        if (shared && cached.sig === undefined) cached.sig = checkedSig ?? this.placeSig(skip);
      } else {
        cached.unstable = true;
        cached.trusted = false;
        // A run of this function does different things on different calls (most often: a loop that
        // ends after a different number of rounds): from now on its runs check their first promise.
        if (running !== undefined && running.resumes > 0 && running.siteId < KEY_SITES) this.checkedSites[running.siteId] = 1;
      }
    }
    this.apply(p, site, key);
  }

  /**
   * Where a parentless promise is being made, from one small capture: for an async function's call,
   * the function's position and its caller's; else the position (or builtin) that made it. Two
   * promises with the same answer here are classified alike by {@link classify}.
   */
  private placeSig(skip: Function): string {
    const { sites, first } = this.captureAboveHooks(2, skip);
    const f0 = sites[first];
    if (f0 === undefined) return '';
    if (f0.getFileName() == null) return `builtin ${f0.getFunctionName()}`;
    if (!isAsyncEntry(f0)) return `at ${positionOf(f0)}`;
    const f1 = sites[first + 1];
    return `${functionPosition(f0)} from ${f1 === undefined ? '' : positionOf(f1)}`;
  }

  /**
   * Classifies a parentless promise from the call sites at its creation: its top frame tells what it
   * is (most are not the user's async functions); only a task's call site needs more. `taskBefore`:
   * the place answered "a task" before (a re-check), so the frames of the call site are read with
   * the first one, in one capture instead of two; the answer is the same either way.
   */
  private classify(skip: Function, taskBefore = false): SiteInfo {
    // One frame is cheapest and usually enough.
    const above = this.captureAboveHooks(taskBefore ? KEEP_FRAMES + 1 : 1, skip);
    const first = above.first;
    let sites = above.sites;
    const f0 = sites[first];
    if (f0 === undefined) return this.site(SiteKind.Other, '', 0);
    if (f0.getFileName() == null) {
      // A builtin made it: for a combinator, the `then`s it attaches to its elements are not awaits.
      const fn = f0.getFunctionName();
      if (fn === 'next' || fn === 'return' || fn === 'throw') return this.requestSite(skip, first);
      const combinator = fn === 'all' || fn === 'allSettled' || fn === 'race' || fn === 'any';
      return this.site(combinator ? SiteKind.Combinator : SiteKind.Other, '', 0);
    }
    if (!isAsyncEntry(f0)) return this.site(SiteKind.Other, '', 0);
    const line = f0.getLineNumber();
    // Internal async functions differ by where they are: that keeps the cache keys of their calls apart.
    const fnPos = functionPosition(f0);
    if (!this.interner.isUserSite(f0)) return this.site(SiteKind.Internal, `${f0.getFileName()}:${line}:${f0.getColumnNumber()}`, 0, fnPos);
    // A capture is a prefix of a longer one of the same stack: the frames read already may do.
    if (!taskBefore || (sites.length < first + KEEP_FRAMES + 1 && !above.whole)) sites = this.capture(first + KEEP_FRAMES + 1, skip);
    let stackId = this.interner.intern(sites, first + 1, KEEP_FRAMES);
    // Called from outside the user's code (a callback of Node or a library): point at the function itself.
    if (stackId === 0) stackId = this.interner.intern(sites, first, 1);
    // A module body with top-level await is an async function too, but Node runs the body later, in a
    // job of its loader, so it is not followed as a task: its code is top level, like a script's. Its
    // awaits are found apart, for the sources of its runs (see noteFirstModuleAwait).
    const fn = f0.getFunctionName();
    if (!fn && f0.isToplevel() && line === 1 && f0.getColumnNumber() === 1) {
      if (this.unstartedBodies.size < MAX_UNSTARTED_BODIES) this.unstartedBodies.add(f0.getFileName() as string);
      return this.site(SiteKind.Other, '', 0);
    }
    const name = fn || '<anonymous>';
    return this.site(SiteKind.Task, name, stackId, fnPos);
  }

  /**
   * A request to an async generator (made by the builtin `next`, `return` or `throw`, called through
   * the recorder's wrapper): its call site is the first user frame below them, the `for await` or
   * the script's own call. Also Node's iterators (an async-from-sync iterator's `next`) make their
   * promises in a builtin `next`: they get the same answer, which nothing but a generator's first
   * request uses.
   */
  private requestSite(skip: Function, first: number): SiteInfo {
    const sites = this.capture(first + KEEP_FRAMES + 2, skip);
    return this.site(SiteKind.Request, '', this.interner.intern(sites, first + 1, KEEP_FRAMES));
  }

  /** The one SiteInfo per distinct answer, so answers compare by id. */
  private site(kind: SiteKind, name: string, stackId: number, fn = ''): SiteInfo {
    const sig = `${kind}|${stackId}|${name}|${fn}`;
    let s = this.sites.get(sig);
    if (s === undefined) {
      if (this.sites.size >= this.maxSites) {
        // Ids are never reused: functions still running keep theirs in their cache keys, and a new
        // site with the same id would share their cached answers. The caches keyed by site ids go
        // with the table: they would otherwise hold a second id for each place seen again.
        this.sites.clear();
        this.siteCache.clear();
        this.initCache.clear();
        this.thenCache.clear();
        this.returnCache.clear();
      }
      s = { id: this.nextSiteId++, kind, name, stackId, nameJson: str(name), fn };
      this.sites.set(sig, s);
    }
    return s;
  }

  private apply(p: Promise<unknown>, site: SiteInfo, key: number | string | undefined): void {
    if (site.kind === SiteKind.Combinator) {
      this.combinator = p;
      return;
    }
    if (site.kind === SiteKind.Request) {
      this.requestStack = site.stackId;
      return;
    }
    if (site.kind === SiteKind.Other) return;
    let id = 0;
    if (site.kind === SiteKind.Task) {
      id = this.nextTaskId++;
      this.out.rec4s(TagCode.TaskStart, id, this.runningTaskId(), this.now(), site.stackId, site.nameJson);
    }
    let placeKey = 0;
    if (site.kind !== SiteKind.Task) {
      // An internal function called by another one: its place includes its caller's place, so that
      // its resources' sources, cached by place, stay apart for callers called from different places.
      const top = this.ctxStack[this.ctxStack.length - 1];
      const nested = typeof key === 'number' && key >= 0 && top !== undefined && top.running && top.id === 0 && top.placeKey >= 0;
      placeKey = this.placeKeyOf(nested ? `${top.placeKey}>${key}` : key);
    }
    // An internal function called by another one starts with its caller's origin.
    const caller = this.ctxStack[this.ctxStack.length - 1];
    const called = id === 0 && caller !== undefined && caller.running;
    const origin = called && caller.id === 0 ? caller.origin : 0;
    const task = called ? caller.id || caller.task : 0;
    const ctx: Ctx = { id, promise: p, running: true, stackId: site.stackId, siteId: site.id, fn: site.fn, thenMade: false, thenKey: -1, waitTs: -1, held: false, resumedFrom: 0, awaitedFrom: 0, resumes: 0, ordinal: 0, lastSite: 0, initOrdinal: 0, placeKey, runCheck: RunCheck.Confirmed, origin, task, gen: undefined };
    this.taskOf.set(p, ctx);
    this.ctxStack.push(ctx);
  }

  /**
   * A non-negative number naming the place of a cache key (-1 for none): task keys are already such
   * numbers; the keys of callbacks (strings) and of jobs (negative) are interned above them.
   */
  private placeKeyOf(key: number | string | undefined): number {
    if (key === undefined) return -1;
    if (typeof key === 'number' && key >= 0) return key;
    let id = this.placeIds.get(key);
    if (id === undefined) {
      if (this.placeIds.size >= this.maxSites) this.placeIds.clear();
      // Task keys stay below 2^52; never reused, also after a clear.
      id = 2 ** 52 + this.nextPlaceId++;
      this.placeIds.set(key, id);
    }
    return id;
  }

  private onChild(p: Promise<unknown>, parent: Promise<unknown>, skip: Function): void {
    // The second promise of `await <non-promise>`: the wrapper was seen first and suspended the function.
    const suspended = this.awaitOf.get(parent);
    if (suspended !== undefined && !suspended.running && (suspended.gen !== undefined ? suspended.gen.phase !== GenPhase.Done : this.taskOf.has(suspended.promise))) {
      this.awaitOf.delete(parent);
      this.awaitOf.set(p, suspended);
      return;
    }
    const top = this.ctxStack[this.ctxStack.length - 1];
    if (top === undefined || !top.running) {
      if (this.awaitOfWrapper(p, parent)) {
        // Found with the promise wrapping the value it awaits.
      } else if (this.moduleRunMark === this.marks.length) this.noteModuleAwait(p, parent, skip);
      else if (this.unstartedBodies.size > 0 && this.marks.length > 0) this.noteStartingModuleAwait(p, parent, skip);
      this.reactionOutsideFunctions(p, skip);
      return;
    }
    // Chained to the running generator's own request: only V8 does that, for an await of a value that
    // is not a native promise (a `yield` awaits its operand too). The body never sees its request.
    if (top.gen !== undefined && this.taskOf.get(parent) === top) {
      this.pendingPromise = p;
      this.pendingCtx = top;
      return;
    }
    // `x.then(…)` (also `catch`, `finally`, a combinator) made inside a running function gives the same
    // init as `await x`, but the function goes on running: it must not be suspended.
    let isThen = this.isThenCall(top, skip);
    // An await of a module body evaluated by the loader is, to the loader's function, a promise made by another function.
    if (isThen && top.id === 0 && top.fn.startsWith(LOADER_FUNCTIONS) && !this.awaitOfWrapper(p, parent)) this.noteFirstModuleAwait(p, parent, this.thenFrame, skip);
    let cur: Ctx = top;
    const owner = this.taskOf.get(parent);
    if (owner !== undefined && owner.running) {
      if (owner === top && !isThen) {
        // Either an `await` in `top` of a value that is not a native promise (a wrapper promise, which
        // a plain value settles at once and a thenable later) or someone awaiting the promise `top`
        // returned without awaiting: the next hook event tells which.
        this.pendingPromise = p;
        this.pendingCtx = top;
        return;
      }
      // The promise of a function deeper in the stack is used: that function has returned, and so
      // has everything it called (still above it only because they returned promises without awaiting).
      // (A generator's request is never returned by its body.)
      const i = owner.gen === undefined ? this.ctxStack.lastIndexOf(owner) : -1;
      if (i >= 0) {
        const ts = this.now();
        for (let j = this.ctxStack.length - 1; j >= i; j--) this.suspend(this.ctxStack[j], ts);
        this.ctxStack.length = i;
        // The code making the promise is that of the function they returned to (`await a()` where
        // `a` did `return sleep(5)`): whether it awaits is a question about that function.
        const below = this.ctxStack[i - 1];
        if (below === undefined || !below.running) {
          if (isThen) this.reactionOutsideFunctions(p, skip);
          return;
        }
        if (isThen) {
          isThen = this.isThenCall(below, skip);
          cur = below;
        }
      }
    }
    if (!isThen) this.awaitBy(this.ctxStack[this.ctxStack.length - 1], p, parent);
    else {
      this.tagReaction(p, cur);
      if (cur.id !== 0) this.recordReaction(p, skip);
      if (cur.running && cur === this.ctxStack[this.ctxStack.length - 1]) {
        cur.thenMade = true;
        cur.thenKey = this.lastThenKey;
      }
    }
  }

  /**
   * A promise with a parent made where no followed function runs: a `.then` in the script's
   * top-level code, in a callback of a resource the user's code caused (keyed), or in the callback
   * of a recorded `.then` is recorded. Jobs of Node's and libraries' own promises are left out:
   * looking for a user frame there would cost a capture each.
   */
  private reactionOutsideFunctions(p: object, skip: Function): void {
    this.tagReaction(p, undefined);
    const topLevel = this.atTopLevel();
    const userCallback = this.cbTag !== undefined && this.marks.length === 0 && this.currentStack !== 0;
    if (topLevel || userCallback || this.runningOp !== undefined) this.recordReaction(p, skip);
  }

  /**
   * Top-level awaits of ES module bodies, so that the runs of a body after them have a source. A body
   * with top-level await is an async function of V8's, but not followed as a task (see
   * {@link classify}): Node's loader runs it, first from one of its own async functions (the job
   * evaluating the module), then after each await in a job of that await's promise, with no frame
   * below it. An await makes a promise with a parent, with the body's frame on top, at the awaited
   * expression (the promise that wraps an awaited plain value too). In the first run, the loader's
   * function is the one running, and {@link isThenCall} has most often taken that frame already
   * (`f0`: a promise the loader's function did not make; undefined: not taken). The body's first
   * run, in a job with no source of its own, takes the module's file at line 1, column 1, as a
   * thread's top-level code does. Returns whether `p` is such an await.
   */
  private noteFirstModuleAwait(p: object, parent: object, f0: CallSite | null | undefined, skip: Function): boolean {
    if (f0 === undefined) {
      const { sites, first } = this.captureAboveHooks(1, skip);
      f0 = sites[first] ?? null;
    }
    if (f0 === null || !isModuleBody(f0)) return false;
    const where = this.moduleAwaitAt(f0);
    if (where === undefined) return false;
    this.addModuleAwait(p, parent, where);
    this.loop.nameUnknownRun(where.file);
    return true;
  }

  /**
   * A promise with a parent made in a job where no followed function runs, while a module body has
   * not started: a body whose imports have top-level awaits starts in a job of V8's once they are
   * done, with no frame of the loader's. Such jobs are searched until {@link MODULE_START_MISSES}
   * captures have found no body (a module whose top-level await is never reached stays unstarted).
   */
  private noteStartingModuleAwait(p: object, parent: object, skip: Function): void {
    if (this.bodyStartMissesLeft <= 0) return;
    if (!this.noteFirstModuleAwait(p, parent, undefined, skip) && !this.captureSkipped) this.bodyStartMissesLeft--;
  }

  /** The await of a module body whose frame is `f0`, and the body's file; undefined when not the user's. */
  private moduleAwaitAt(f0: CallSite): ModuleAwait | undefined {
    const source = this.interner.intern([f0], 0, 1);
    if (source === 0) return undefined;
    const name = f0.getFileName() as string;
    this.unstartedBodies.delete(name);
    return { source, file: this.interner.internFrame(name, 1, 1, '', true) };
  }

  /**
   * A promise with a parent made in a job resuming a module body, where no followed function runs:
   * made by the body itself or by code it calls. One frame tells whether it is the body's next await
   * (see {@link noteFirstModuleAwait}), cached by place (the await the run resumed from, the
   * promise's ordinal in the run), so a loop of awaits at top level asks once or twice. A run making
   * many such promises (a loop of `.then`s) is searched only until {@link MODULE_RUN_MISSES} of them
   * have not been the await; after that, the last one made is taken for the await when the run ends
   * (an await is the last thing a body's run does), with the module's file for its source.
   */
  private noteModuleAwait(p: object, parent: object, skip: Function): void {
    if (this.moduleMisses >= MODULE_RUN_MISSES) {
      this.moduleLast = p;
      return;
    }
    const key = `${this.moduleFrom.source}|${this.moduleOrdinal++}`;
    const cached = this.moduleAwaitCache.get(key);
    if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) {
      if (cached.stackId !== 0) this.addModuleAwait(p, parent, { source: cached.stackId, file: this.moduleFrom.file });
      return;
    }
    const { sites, first } = this.captureAboveHooks(1, skip);
    if (this.captureSkipped) return;
    const f0 = sites[first];
    const where = f0 !== undefined && isModuleBody(f0) ? this.moduleAwaitAt(f0) : undefined;
    const stackId = where === undefined ? 0 : where.source;
    learnSource(this.moduleAwaitCache, this.maxSites, key, cached, stackId);
    if (where === undefined) this.moduleMisses++;
    else this.addModuleAwait(p, parent, where);
  }

  /** The job that resumed a module body ends. */
  private endModuleRun(): void {
    this.moduleRunMark = -1;
    if (this.moduleLast === undefined) return;
    this.addModuleAwait(this.moduleLast, undefined, { source: this.moduleFrom.file, file: this.moduleFrom.file });
    this.moduleLast = undefined;
  }

  /**
   * Whether `p` is the promise of a module body's await whose value `parent` wraps (an await of a
   * plain value or a thenable makes the wrapper first, with the body's frame on top too): `p`'s job
   * resumes the body from the same await.
   */
  private awaitOfWrapper(p: object, parent: object): boolean {
    if (this.moduleAwaitsOpen === 0) return false;
    const where = this.moduleAwaits.get(parent);
    if (where === undefined) return false;
    this.addModuleAwait(p, parent, where);
    return true;
  }

  /** `p`'s job will resume a module body from `where`; an await of a plain value first made `parent`, which has no job. */
  private addModuleAwait(p: object, parent: object | undefined, where: ModuleAwait): void {
    if (parent !== undefined && this.moduleAwaits.delete(parent)) this.moduleAwaitsOpen--;
    this.moduleAwaits.set(p, where);
    this.moduleAwaitsOpen++;
  }

  /**
   * Records the `.then` (or `catch`, `finally`) promise `p` made by the user's code as a PROMISE
   * operation: created now, its callback's run is its before/after, and it ends with that run. Its
   * source is the user frame that called `.then`; made elsewhere (no user frame), it is not recorded.
   * Only called where the source has a cache key or in top-level code, so it rarely costs a capture.
   */
  private recordReaction(p: object, skip: Function): void {
    const typeId = this.typeId('PROMISE');
    const stackId = this.sourceOf(typeId, 16, skip, true);
    if (stackId === 0) return;
    const id = this.nextPromiseOpId++;
    this.out.rec5(TagCode.Init, id, typeId, asyncHooks.executionAsyncId(), this.now(), stackId);
    this.reactionOps.set(p, { id, stackId, outerStack: 0 });
  }

  /**
   * Remembers where the `.then` promise `p` was made (a running function `top`, or the callback or
   * job running now), so the job that runs its reaction gets a cache key (see {@link jobTag}).
   */
  private tagReaction(p: object, top: Ctx | undefined): void {
    let place: string | undefined;
    if (top !== undefined && top.running) {
      if (top.placeKey >= 0 && top.runCheck !== RunCheck.Diverged) place = `t${top.placeKey}|${top.siteId}|${top.resumedFrom}|${top.ordinal}`;
    } else if (this.jobTag >= 0) {
      place = `j${this.jobTag}|${this.jobOrdinal++}`;
    } else if (this.cbTag !== undefined && this.marks.length === 0) {
      place = `${this.cbTag}|${this.cbOrdinal++}`;
    }
    if (place === undefined) return;
    let tag = this.tagIds.get(place);
    if (tag === undefined) {
      if (this.tagIds.size >= this.maxSites) this.tagIds.clear();
      // Never reused, also after a clear: a key made from an old tag can then not be mistaken for a new one's.
      tag = this.nextTag++;
      this.tagIds.set(place, tag);
    }
    this.reactionTags.set(p, tag);
  }

  /**
   * `top` made a `.then` promise and is still marked running. It may have returned that promise
   * (`return x.then(…)`), which no promise hook shows; then the code making the promise now is its
   * caller's. One capture decides: if `top`'s function is no longer on the stack, it returned and
   * now waits for the promise it returned.
   */
  private returnedAfterThen(top: Ctx, skip: Function): void {
    top.thenMade = false;
    if (!top.running || top.fn === '') return;
    // Cached by the place of the `.then`, like the answers of isThenCall.
    const key = top.thenKey;
    const cached = key >= 0 ? this.returnCache.get(key) : undefined;
    let running: boolean;
    if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) {
      running = cached.answer;
    } else {
      // A capture costs more the more frames it reads: a function still running is nearly always
      // within the first few, so those are looked at first.
      const near = this.capture(RETURN_CHECK_NEAR, skip);
      running = hasFunction(near, top.fn) || (near.length === RETURN_CHECK_NEAR && hasFunction(this.capture(RETURN_CHECK_FRAMES, skip), top.fn));
      if (key >= 0) learn(this.returnCache, this.maxSites, key, cached, running);
    }
    if (running) return;
    this.remove(top);
    this.suspend(top, this.now());
  }

  /**
   * Whether the promise being created (with a parent, inside the running function `top`) is not an
   * `await` of `top`: a builtin `then` (`x.then`, `catch`, `finally`, `Promise.all`…) has that builtin
   * as its top frame, an `await` has the awaiting function itself. Measured alike on Node 20, 22 and 24: the
   * promise hooks' `parent` is the awaited promise in both cases, so it cannot tell them apart. The
   * answer is cached by place like {@link onParentless}, so a loop pays for a capture only on its
   * first rounds and on the periodic re-checks.
   */
  private isThenCall(top: Ctx, skip: Function): boolean {
    let key = -1;
    let cached: CachedAnswer | undefined;
    if (top.runCheck !== RunCheck.Diverged) {
      // Beyond the bounds of a number (a run making hundreds of promises): no cached answer here.
      key = numericRunKey(top);
      if (key >= 0) cached = this.thenCache.get(key);
    }
    this.lastThenKey = key;
    // A loop's later round is checked by the capture below before its first cached answer is used.
    const unchecked = top.runCheck === RunCheck.Unchecked;
    this.thenFrame = undefined;
    if (cached !== undefined && cached.trusted && !unchecked && !recheckDue(++cached.uses)) return cached.answer;
    const { sites, first } = this.captureAboveHooks(1, skip);
    const f0 = sites[first];
    this.thenFrame = f0 ?? null;
    // An await's promise is made by the awaiting function itself: one made by another function (an
    // async function the recorder does not follow, or one already suspended at an earlier promise
    // of the same await) does not suspend `top` either.
    const isThen = f0 === undefined || (f0.getFileName() == null ? f0.getFunctionName() === 'then' : top.fn !== '' && functionPosition(f0) !== top.fn);
    if (unchecked && key >= 0) {
      top.runCheck = cached === undefined || cached.answer === isThen ? RunCheck.Confirmed : RunCheck.Diverged;
      if (top.runCheck === RunCheck.Diverged) return isThen;
    }
    if (key >= 0) learn(this.thenCache, this.maxSites, key, cached, isThen);
    return isThen;
  }

  /**
   * Decides a pending init: `settled` is the promise of the settle hook being handled, if any;
   * `parent` the parent of the promise whose init is being handled, if any. A wrapper settled at
   * once is an `await` of a plain value; one that the same await chains a promise to is an `await`
   * of a thenable, resolved later by the thenable's `then`.
   */
  private resolvePending(settled: object | undefined, parent?: object): void {
    const p = this.pendingPromise as object;
    const ctx = this.pendingCtx as Ctx;
    this.pendingPromise = undefined;
    this.pendingCtx = undefined;
    // A generator's request is never returned by its body: the wrapper of an awaited value.
    if (settled === p || parent === p || ctx.gen !== undefined) {
      this.awaitBy(ctx, p);
      return;
    }
    // `ctx` had returned its promise; the function below it is the one awaiting.
    this.remove(ctx);
    this.suspend(ctx, this.now());
    this.awaitBy(this.ctxStack[this.ctxStack.length - 1], p, ctx.promise);
  }

  /** `ctx` (the running function, if any) suspends at an await whose resumption is `p`'s job. */
  private awaitBy(ctx: Ctx | undefined, p: object, awaited?: object): void {
    if (ctx === undefined || !ctx.running) return;
    // The awaited function's site; for a promise of no followed function (or a value), the await's
    // place in the run instead: otherwise the run after it would share its keys with the first run.
    const owner = awaited === undefined ? undefined : this.taskOf.get(awaited);
    // Site ids at or above PLAIN_AWAIT are moved past the plain awaits' range (and out of numeric keys).
    ctx.awaitedFrom =
      owner === undefined ? PLAIN_AWAIT + Math.min(ctx.ordinal, KEY_ORDINALS - 1) : owner.siteId < PLAIN_AWAIT ? owner.siteId : owner.siteId + PLAIN_AWAIT;
    const gen = ctx.gen;
    if (gen !== undefined) {
      // Awaiting the request it just made to another generator: a `yield*` (or the like).
      // A generator not followed (Node's, known as such once its body ran) is never taken for done.
      gen.delegate = awaited !== undefined && awaited === gen.lastRequest ? (owner === undefined || owner.id === 0 ? OTHER_GEN.gen : owner.gen) : undefined;
      gen.silent = gen.unwrapNext;
      gen.unwrapNext = false;
    }
    this.remove(ctx);
    this.awaitOf.set(p, ctx);
    this.suspend(ctx, this.now());
  }

  private suspend(ctx: Ctx, ts: number): void {
    if (!ctx.running) return;
    ctx.running = false;
    if (ctx.id <= 0) return;
    if (ctx.gen !== undefined && ctx.gen.heldFrom >= 0) this.writeResume(ctx);
    ctx.waitTs = ts;
    if (!ctx.held) {
      if (this.heldWaits.length >= MAX_HELD_WAITS) this.writeHeldWaits();
      ctx.held = true;
      this.heldWaits.push(ctx);
    }
  }

  /** Writes the wait records held back so far (before a macrotask callback and before each flush of the trace). */
  writeHeldWaits(): void {
    if (this.heldHandle !== undefined) this.releaseHandle(0);
    if (this.endingPromise !== undefined) this.writeEnd();
    const h = this.heldWaits;
    for (let i = 0; i < h.length; i++) {
      const ctx = h[i];
      ctx.held = false;
      if (ctx.waitTs >= 0) {
        this.writeWait(ctx);
        ctx.waitTs = -1;
      }
    }
    h.length = 0;
  }

  /** Writes the end of the task whose promise settled last, now that its state can be read. */
  private writeEnd(): void {
    const p = this.endingPromise as Promise<unknown>;
    this.endingPromise = undefined;
    this.out.rec3(TagCode.TaskEnd, this.endingTask, this.endingTs, this.rejected(p));
  }

  private remove(ctx: Ctx): void {
    const s = this.ctxStack;
    const last = s.length - 1;
    // Almost always the top; `splice` would allocate an array of the removed items every time.
    if (last >= 0 && s[last] === ctx) {
      s.pop();
      return;
    }
    for (let i = last - 1; i >= 0; i--) {
      if (s[i] === ctx) {
        for (let j = i; j < last; j++) s[j] = s[j + 1];
        s.pop();
        return;
      }
    }
  }

  // ---- async generators ----------------------------------------------------------------------

  /**
   * Wraps `next`, `return` and `throw` of `AsyncGenerator.prototype`: the only place where the
   * generator object of a request is known. Each call still goes to V8's method, unchanged (a
   * `for await` and `yield*` look the method up on the object, so they call the wrapper too). The
   * wrapper is one more frame on the stack while the body runs within the call (in error stacks too).
   */
  private wrapGenerators(): void {
    const proto = getPrototypeOf((async function* () {}).prototype) as Record<string, unknown> | null;
    if (proto === null) return;
    this.asyncGenProto = proto;
    const names = ['next', 'return', 'throw'] as const;
    for (let kind = 0; kind < names.length; kind++) {
      const name = names[kind];
      const original = proto[name];
      if (typeof original !== 'function') continue;
      // Bound now: the script may change Function.prototype.call later.
      const call = Function.prototype.call.bind(original) as (self: unknown, value: unknown) => unknown;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const rec = this;
      const methods = {
        [name](this: unknown, value: unknown): unknown {
          // Guarded like the hooks (see enable): near the stack limit the recorder's calls may
          // overflow, and the script's call must still go to V8's method, unchanged.
          let ctx: Ctx | undefined;
          try {
            ctx = rec.genCall(this, kind);
          } catch (e) {
            rec.pendingGen = undefined;
            rec.genCut(e);
          }
          if (ctx === undefined) return call(this, value);
          try {
            return call(this, value);
          } finally {
            try {
              rec.genReturned(ctx);
            } catch (e) {
              rec.genCut(e);
            }
          }
        },
      };
      proto[name] = lookLike(methods[name], original);
    }
  }

  /**
   * A request to the async generator `g` (`kind` 0 `next`, 1 `return`, 2 `throw`) starts: returns
   * its lane, which the request's promise (made first thing by V8's method) is then given to, or
   * undefined when it is not followed.
   */
  private genCall(g: unknown, kind: number): Ctx | undefined {
    if (this.followState !== 0 || this.hook === undefined || typeof g !== 'object' || g === null) return undefined;
    let ctx = this.genCtxs.get(g);
    if (ctx === undefined) {
      const proto = getPrototypeOf(g) as object | null;
      if (proto === null || getPrototypeOf(proto) !== this.asyncGenProto) return undefined;
      if (this.genFunctions.get(proto) === null) {
        // Node's or a library's: its next requests find that at once.
        this.genCtxs.set(g, OTHER_GEN);
        this.pendingGen = OTHER_GEN;
        return OTHER_GEN;
      }
      ctx = newGenCtx(proto);
      // Closed before it ever ran: it does nothing, no lane.
      if (kind !== 0) (ctx.gen as GenState).phase = GenPhase.Done;
      this.genCtxs.set(g, ctx);
    } else if (ctx === OTHER_GEN) {
      this.pendingGen = OTHER_GEN;
      return OTHER_GEN;
    }
    const gen = ctx.gen as GenState;
    if (gen.phase === GenPhase.Done) {
      // Found not to be the script's when its body first ran.
      if (ctx.id !== 0) return undefined;
      this.pendingGen = OTHER_GEN;
      return OTHER_GEN;
    }
    // `return(value)` on a parked generator awaits the value first: that await is part of the return.
    if (kind === 1 && gen.phase === GenPhase.Parked) gen.unwrapNext = true;
    this.pendingGen = ctx;
    return ctx;
  }

  /** A generator method's wrapper was cut short by `e` (see {@link cutShort}). */
  private genCut(e: unknown): void {
    try {
      this.cutShort('generator request', e);
    } catch {
      this.cuts++;
    }
  }

  /** The wrapped method returned: the body, if it ran, is suspended or done by now. */
  private genReturned(ctx: Ctx): void {
    this.pendingGen = undefined;
    if (ctx === OTHER_GEN || !ctx.running) return;
    // Not seen suspending (its name was never found): taken as waiting, like a function that returned a promise.
    this.remove(ctx);
    this.suspend(ctx, this.now());
  }

  /** The promise of a request to the generator {@link pendingGen}: its lane starts, or resumes from its `yield`. */
  private onGenRequest(p: Promise<unknown>, skip: Function): void {
    const ctx = this.pendingGen as Ctx;
    this.pendingGen = undefined;
    const top = this.ctxStack[this.ctxStack.length - 1];
    if (top !== undefined && top.running && top.gen !== undefined) top.gen.lastRequest = p;
    if (ctx === OTHER_GEN) {
      this.onParentless(p, skip);
      return;
    }
    const gen = ctx.gen as GenState;
    this.taskOf.set(p, ctx);
    gen.queued++;
    const ts = this.now();
    if (gen.phase === GenPhase.New) {
      // Its call site: the request's, classified by place like any promise made there.
      this.requestStack = 0;
      this.onParentless(p, skip);
      ctx.stackId = this.requestStack || this.runningOrigin();
      gen.startTs = ts;
      gen.parentTask = this.runningTaskId();
      gen.phase = GenPhase.Active;
      const fn = this.genFunctions.get(gen.proto);
      if (fn) this.startGenTask(ctx, fn);
      ctx.running = true;
      this.ctxStack.push(ctx);
      return;
    }
    // Asked again while it runs or waits: the request is queued, the body goes on with it later.
    if (gen.phase !== GenPhase.Parked || gen.queued > 1) return;
    gen.phase = GenPhase.Active;
    gen.delegate = undefined;
    gen.lastRequest = undefined;
    this.resume(ctx, ts);
  }

  /** Writes the N record of a generator's lane, once its function is known. */
  private startGenTask(ctx: Ctx, fn: GenFunction): void {
    const gen = ctx.gen as GenState;
    const site = this.site(SiteKind.Task, fn.name, ctx.stackId, fn.fn);
    ctx.id = this.nextTaskId++;
    ctx.siteId = site.id;
    ctx.fn = fn.fn;
    ctx.placeKey = 0;
    this.out.rec4s(TagCode.TaskStart, ctx.id, gen.parentTask, gen.startTs, ctx.stackId, site.nameJson);
  }

  /**
   * The first generator object of a function runs its body before the recorder knows the function:
   * at the body's first promise, one capture finds it, right above the wrapper of the request that
   * runs it. A function of Node's or a library's is not followed.
   */
  private nameGen(ctx: Ctx, skip: Function): void {
    const gen = ctx.gen as GenState;
    let fn = this.genFunctions.get(gen.proto);
    if (fn === undefined) {
      fn = null;
      const sites = this.capture(GEN_NAME_FRAMES, skip);
      // The wrapper of a request being made to another generator (from the body) has only V8's method above it.
      for (let i = 1, prev = -1; i < sites.length; i++) {
        if (sites[i].getFileName() !== RECORDER_FILE) continue;
        let b = i - 1;
        while (b > prev && sites[b].getFileName() == null) b--;
        if (b === prev) {
          prev = i;
          continue;
        }
        if (this.interner.isUserSite(sites[b])) fn = { name: sites[b].getFunctionName() || '<anonymous>', fn: functionPosition(sites[b]) };
        break;
      }
      if (this.captureSkipped) return;
      this.genFunctions.set(gen.proto, fn);
    }
    if (fn !== null) {
      this.startGenTask(ctx, fn);
      return;
    }
    gen.phase = GenPhase.Done;
    ctx.id = 0;
    ctx.running = false;
    this.remove(ctx);
  }

  /**
   * A request of the generator `ctx` settled. With no frame of the script on the stack, a value was
   * handed over: the job that resumed the body after its `yield`'s await settles the request, and
   * the generator parks until the next request. A return or a throw settles it from the body itself,
   * and so does a `yield*` handing over its inner generator's value (told apart by what the run
   * resumed from: that generator's request, while that generator is not done). Cached by place.
   */
  private onGenSettled(ctx: Ctx, p: Promise<unknown>, skip: Function): void {
    const gen = ctx.gen as GenState;
    gen.queued--;
    if (gen.phase === GenPhase.Done || !ctx.running) return;
    // A body that made no promise before it returned (`return;` with nothing awaited): its function
    // is found now, with the body still on the stack, so it gets a lane, ended below.
    if (ctx.id < 0) {
      this.nameGen(ctx, skip);
      if ((gen.phase as GenPhase) === GenPhase.Done) return;
    }
    const key = ctx.runCheck === RunCheck.Diverged ? -1 : numericRunKey(ctx);
    const cached = key >= 0 ? this.genEndCache.get(key) : undefined;
    let inBody: boolean;
    // The frame on top at the settle, when it was captured here (settlesAtYieldStar reads it too).
    let f0: CallSite | undefined;
    if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) {
      inBody = cached.answer;
    } else {
      const { sites, first } = this.captureAboveHooks(1, skip);
      f0 = sites[first];
      // Microtasks run by Node's JavaScript (between timers) have Node's frames below them: not the body's.
      inBody = f0 !== undefined && f0.getFileName() != null && functionPosition(f0) === ctx.fn;
      if (key >= 0) learn(this.genEndCache, this.maxSites, key, cached, inBody);
    }
    // Resumed from a request to another generator of the script's that is not done: a `yield*`
    // hands its value over. Over one of Node's (never known to be done) or an iterator that is no
    // generator, the place of the settle tells (see settlesAtYieldStar).
    let delegating = gen.delegate !== undefined && gen.delegate.phase !== GenPhase.Done;
    if (inBody && (gen.delegate === undefined || gen.delegate === OTHER_GEN.gen)) delegating = this.settlesAtYieldStar(key, skip, f0);
    const ts = this.now();
    if (!inBody || delegating) {
      // A value was handed over; with a request queued, the body goes on with it at once (the wait
      // for the yield's operand, not written yet, was part of handing it over).
      if (gen.queued > 0) {
        gen.heldFrom = -1;
        return;
      }
      gen.phase = GenPhase.Parked;
      // The runs after a park have cache keys of their own, after the await the value came from.
      ctx.awaitedFrom = PLAIN_AWAIT + KEY_ORDINALS + (ctx.awaitedFrom % 4096);
      this.remove(ctx);
      // The wait for the yield's operand, not written yet, is part of the park.
      const from = gen.heldFrom;
      gen.heldFrom = -1;
      this.suspend(ctx, from >= 0 ? from : ts);
      gen.yielded = true;
      return;
    }
    gen.phase = GenPhase.Done;
    if (gen.heldFrom >= 0) this.writeResume(ctx);
    this.remove(ctx);
    ctx.running = false;
    if (ctx.id <= 0) return;
    if (ctx.waitTs >= 0) {
      if (ts - ctx.waitTs > SHORT_WAIT_US) this.writeWait(ctx);
      ctx.waitTs = -1;
    }
    this.endingTask = ctx.id;
    this.endingPromise = p;
    this.endingTs = ts;
  }

  /**
   * Whether a generator's request settled by its body (not by the job after a plain `yield`'s
   * await) settles at a `yield*`: that hands over a value of what it delegates to, a generator of
   * Node's or a library's (not followed, so never known to be done) or an iterator that is no
   * generator. V8 puts the settle at the `yield*` token then, and at the statement that ends the
   * body otherwise (a `return`, the last one run: a `for await` whose loop ended, a `yield`).
   * Read in the code at the place of the settle, cached by the place in the run like the answer of
   * {@link onGenSettled}. A body that ends right after a `yield*` settles at it too, and is taken
   * for a hand-over (parked, not ended). When the code cannot be read: the body's end.
   */
  private settlesAtYieldStar(key: number, skip: Function, top: CallSite | undefined): boolean {
    const cached = key >= 0 ? this.genYieldCache.get(key) : undefined;
    if (cached !== undefined && cached.trusted && !recheckDue(++cached.uses)) return cached.answer;
    let f0 = top;
    if (f0 === undefined) {
      const { sites, first } = this.captureAboveHooks(1, skip);
      f0 = sites[first];
    }
    let atYield = false;
    const name = f0?.getFileName();
    const line = f0?.getLineNumber();
    const column = f0?.getColumnNumber();
    if (typeof name === 'string' && typeof line === 'number' && typeof column === 'number') {
      let file = name;
      try {
        if (name.startsWith('file:')) file = fileURLToPath(name);
        const text = this.codeLine?.(file, line);
        if (text !== undefined) atYield = /^yield\s*\*/.test(text.slice(column - 1));
      } catch {
        // Unreadable: the body's end.
      }
    }
    if (key >= 0) learn(this.genYieldCache, this.maxSites, key, cached, atYield);
    return atYield;
  }

  /**
   * Writes the records of a generator's resumption held back (see {@link GenState.heldFrom}): the
   * run did something else than hand a value over. A wait of {@link SHORT_WAIT_US} or less, and the
   * await of `return(value)`'s value, are left out.
   */
  private writeResume(ctx: Ctx): void {
    const gen = ctx.gen as GenState;
    const from = gen.heldFrom;
    gen.heldFrom = -1;
    if (gen.silent || gen.resumedAt - from <= SHORT_WAIT_US) return;
    this.out.rec2(TagCode.TaskAwait, ctx.id, from);
    this.out.rec2(TagCode.TaskResume, ctx.id, gen.resumedAt);
  }

  /** Writes the wait record of `ctx` held since {@link Ctx.waitTs}: a park at a `yield` carries a 1. */
  private writeWait(ctx: Ctx): void {
    if (ctx.gen !== undefined && ctx.gen.yielded) this.out.rec3(TagCode.TaskAwait, ctx.id, ctx.waitTs, 1);
    else this.out.rec2(TagCode.TaskAwait, ctx.id, ctx.waitTs);
  }

  /** The innermost running task, or the one that called the internal function running above it (see {@link Ctx.task}). */
  private runningTaskId(): number {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) {
      const c = this.ctxStack[i];
      if (c.id !== 0) return c.id;
      if (c.task !== 0) return c.task;
    }
    return 0;
  }
}

/** Whether one of the frames is in the function starting at `fn` (see {@link functionPosition}). */
function hasFunction(frames: CallSite[], fn: string): boolean {
  for (const f of frames) if (f.getFileName() != null && functionPosition(f) === fn) return true;
  return false;
}

/**
 * The cache key of the next promise of the running function `ctx` (its site, where its run resumed
 * from, how many promises the run made before): one number, with no allocation, within the bounds of
 * its parts; a string beyond them (a run making hundreds of promises, site ids past
 * {@link KEY_SITES} in a long run).
 */
function runKey(ctx: Ctx): number | string {
  const key = numericRunKey(ctx);
  return key >= 0 ? key : `${ctx.siteId}:${ctx.resumedFrom}:${ctx.ordinal - 1}`;
}

/** {@link runKey} as a number only: -1 beyond the bounds (the promise is counted either way). */
function numericRunKey(ctx: Ctx): number {
  const ordinal = ctx.ordinal++;
  if (ctx.siteId < KEY_SITES && ctx.resumedFrom < KEY_RESUMED && ordinal < KEY_ORDINALS) return (ctx.siteId * KEY_RESUMED + ctx.resumedFrom) * KEY_ORDINALS + ordinal;
  return -1;
}

/**
 * Whether the frame is a function at its own start, as an async function is when its promise is made
 * on entry (positioned on its first line, at its parameters); a promise made inside a body sits at a call.
 */
function isAsyncEntry(f0: CallSite): boolean {
  const line = f0.getLineNumber();
  if (line === null || typeof f0.getEnclosingLineNumber !== 'function') return false;
  return line === f0.getEnclosingLineNumber() && (f0.getColumnNumber() ?? 0) >= (f0.getEnclosingColumnNumber() ?? 0) && !f0.isConstructor();
}

/** `file:line:column` of a frame. */
function positionOf(f: CallSite): string {
  return `${f.getFileName()}:${f.getLineNumber()}:${f.getColumnNumber()}`;
}

/**
 * Whether the frame is an ES module's body: code of no function, called with no receiver, starting
 * at line 1, column 1 of its file (the body of a module with top-level await is V8's async function).
 */
function isModuleBody(f: CallSite): boolean {
  if (typeof f.getEnclosingLineNumber !== 'function' || f.getFunctionName() || !f.isToplevel()) return false;
  return f.getEnclosingLineNumber() === 1 && f.getEnclosingColumnNumber() === 1;
}

/** Where a frame's function starts (`file:line:column`), the identity of an async function's code. */
function functionPosition(f: CallSite): string {
  if (typeof f.getEnclosingLineNumber !== 'function') return '';
  return `${f.getFileName()}:${f.getEnclosingLineNumber()}:${f.getEnclosingColumnNumber()}`;
}


/**
 * Before Node 24.9, enabling any async hook makes Node track every promise as an async resource
 * (about 2x on promise-heavy code) although the recorder ignores PROMISE resources: its task lanes
 * come from its own promise hooks. This installs only those in V8. Node re-installs the full set
 * whenever hooks change (the script enabling async hooks or an AsyncLocalStorage of its own), so
 * the script's own hooks lose nothing. The binding is deprecated, hence the silenced warning.
 */
function installOnlyOurPromiseHooks(hooks: v8.HookCallbacks): void {
  const proc = process as unknown as { binding(name: string): { setPromiseHooks?: (...fns: unknown[]) => void }; noDeprecation?: boolean };
  const quiet = proc.noDeprecation;
  try {
    proc.noDeprecation = true;
    const binding = proc.binding('async_wrap');
    if (typeof binding.setPromiseHooks === 'function') binding.setPromiseHooks(hooks.init, hooks.before, hooks.after, hooks.settled);
  } catch {
    // Not available: the full set stays installed, which is only slower.
  } finally {
    proc.noDeprecation = quiet;
  }
}

let trackPromisesOffSupported: boolean | undefined;

/** True when `createHook({trackPromises: false})` really leaves promises out (Node ≥ 24.9). */
export function supportsTrackPromisesOff(): boolean {
  if (trackPromisesOffSupported !== undefined) return trackPromisesOffSupported;
  let sawPromise = false;
  const h = asyncHooks
    .createHook({
      init(_id: number, type: string) {
        if (type === 'PROMISE') sawPromise = true;
      },
      trackPromises: false,
    } as asyncHooks.HookCallbacks)
    .enable();
  void Promise.resolve();
  h.disable();
  trackPromisesOffSupported = !sawPromise;
  return trackPromisesOffSupported;
}
