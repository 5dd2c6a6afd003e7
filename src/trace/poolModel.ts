/**
 * The libuv threadpool, rebuilt from real evidence after a run: which pool threads existed (from
 * `/proc/<pid>/task` samples and from Node's trace events) and which job ran on which of them when.
 * Pure: the CLI gathers the evidence (I/O) and writes the resulting P and J records (format.ts).
 *
 * What is exact and what is inferred:
 * - crypto and zlib work: Node's `node.threadpoolwork.sync` B/E events are emitted ON the pool
 *   thread, so thread and run interval are exact. Their submission is the matching
 *   `node.threadpoolwork.async` `b` on the submitting JS thread. The pool events carry no id, so
 *   they are paired by name and order: libuv's queue is FIFO, so the k-th job of a name to start
 *   is the k-th one submitted (the first submission not yet paired whose time is ≤ the start).
 * - Node 26 reports a small file's `fs.readFile` and `fs.writeFile` (open, fstat, read or write,
 *   close in one pool job) and the copy of `fs.cp` the same way, as `fs.readfile`, `fs.writefile`
 *   and `fs.cp`: exact too, and linked to the FSREQCALLBACK resource that submitted it.
 * - Other fs work and getaddrinfo is known only from its async resource on the submitting thread: created
 *   (submitted) and first callback (completion seen). It is placed by replaying libuv's FIFO queue
 *   over the N pool threads and over all submissions, exact ones included (J inferred = 1): each job
 *   starts once every job submitted before it has started, on the thread free first around the
 *   exact jobs, and ends when its completion was seen or its thread's next job started (see
 *   placeInferred).
 */
import type { PoolJobRecord, PoolThreadRecord } from './format';
import type { AsyncOp, PoolJob, TraceModel } from './model';

/** One event of Node's own trace-event file, with `ts` already converted to µs since the run origin. */
export interface NodeTraceEvent {
  /** Phase: `B`/`E` (sync, on the thread that ran it), `b`/`e` (async, paired by id). */
  ph: string;
  /** Comma-separated categories, e.g. `node,node.threadpoolwork,node.threadpoolwork.sync`. */
  cat: string;
  /** Event name: `crypto`, `zlib`. */
  name: string;
  /** µs since the run origin. */
  ts: number;
  /** OS thread id that emitted it. */
  tid: number;
  /** Pairing id of async events (a native pointer, reused after `e`). */
  id?: string;
}

/** What sampling `/proc/<pid>/task` saw of one OS thread. */
export interface OsThreadSample {
  tid: number;
  /** `comm` at first sight (Node 22+ names pool threads `libuv-worker`; one first seen before libuv named it takes that name from the process's own last list). */
  comm: string;
  /** µs (since origin) of the first sample that listed it. */
  firstSeen: number;
  /** µs of the last sample that listed it. */
  lastSeen: number;
}

/** Everything the pool model is built from. */
export interface PoolEvidence {
  /** Process id of the script. */
  pid: number;
  /** Effective UV_THREADPOOL_SIZE (libuv starts exactly this many threads at first use). */
  poolSize: number;
  /** Node trace events of that process (any order). */
  events: readonly NodeTraceEvent[];
  /** Threads seen by sampling `/proc/<pid>/task`; undefined where that is not available. */
  osThreads?: readonly OsThreadSample[];
  /** µs (since origin) of every sample of osThreads, ascending. */
  sampleTimes?: readonly number[];
  /** Human-readable source of osThreads, e.g. `/proc/1234/task`. */
  osThreadSource?: string;
  /** The trace as recorded by the runner (JS threads with OS tids, async resources). */
  model: TraceModel;
  /** µs of the end of the run (for jobs still open when the process ended). */
  endTs: number;
  /**
   * Job ids to keep stable across calls (live updates, then the final pass): a job of an async
   * resource already given an id gets it again, so its later J record replaces the earlier one.
   * Updated in place. Default: ids 1, 2, 3… for this call only.
   */
  jobIds?: JobIds;
}

/** Job id allocation shared by successive {@link buildPool} calls of one run. */
export interface JobIds {
  /** Async resource key → job id given to its job. */
  byOp: Map<string, number>;
  /** Next unused id. */
  next: number;
}

/** P and J records to append to the trace. */
export interface PoolResult {
  threads: PoolThreadRecord[];
  jobs: PoolJobRecord[];
}

/** Families of pool work, by how Node reports them. */
type Family = 'crypto' | 'zlib' | 'fs' | 'dns' | 'work';

/** async_hooks types whose work runs on the libuv threadpool, by family. */
const FS_TYPES = new Set(['FSREQCALLBACK', 'FSREQPROMISE', 'FILEHANDLECLOSEREQ']);

/**
 * Effective UV_THREADPOOL_SIZE as libuv reads it: unset → 4; otherwise `atoi` of the value, 0 (also
 * anything not a number) → 1, above 1024 → 1024; a negative number wraps to a huge unsigned one → 1024.
 */
export function effectivePoolSize(value: string | undefined): number {
  if (value === undefined) return 4;
  const n = parseInt(value, 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  if (n < 0 || n > 1024) return 1024;
  return n;
}

/** Family of an async resource type, or undefined when it does not submit pool work. */
export function poolFamilyOfType(type: string): Family | undefined {
  if (FS_TYPES.has(type)) return 'fs';
  if (type === 'GETADDRINFOREQWRAP' || type === 'GETNAMEINFOREQWRAP') return 'dns';
  if (type === 'ZLIB') return 'zlib';
  // Every crypto job class (PBKDF2REQUEST, SCRYPTREQUEST, RANDOMBYTESREQUEST, HASHREQUEST, …).
  if (/REQUEST$/.test(type)) return 'crypto';
  return undefined;
}

/**
 * Family of a pool job reported by Node's trace events, by its name: `crypto`, `zlib`, and from
 * Node 26 `fs.*` (`fs.readfile`, `fs.writefile`: a small file read or written in one pool job;
 * `fs.cp`). Any other name is Node's own work, not linked to a resource.
 */
function familyOfEvent(name: string): Family {
  if (name === 'crypto') return 'crypto';
  if (name === 'zlib') return 'zlib';
  if (name.startsWith('fs.')) return 'fs';
  return 'work';
}

/** A job as reconstructed before placement. */
interface RawJob {
  family: Family;
  /** Type to report when no async resource is linked. */
  fallbackType: string;
  /** OS tid of the submitting JS thread (0 when unknown). */
  submitTid: number;
  submit: number;
  /** Completion as seen by the submitting thread, -1 when unknown. */
  done: number;
  /** Exact placement from sync events. */
  exactTid?: number;
  start?: number;
  end?: number;
  op?: AsyncOp;
  /** Id of the submitting trace event: for zlib, the native handle, the same for every job of one stream. */
  eventId?: string;
}

function hasCat(e: NodeTraceEvent, cat: string): boolean {
  return (',' + e.cat + ',').includes(',' + cat + ',');
}

/** Pairs async b/e events into submitted jobs; pairs sync B/E into exactly placed runs. */
function collectJobs(events: readonly NodeTraceEvent[], endTs: number): { async: RawJob[]; exact: { tid: number; name: string; start: number; end: number }[] } {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const open = new Map<string, RawJob>();
  const asyncJobs: RawJob[] = [];
  const syncOpen = new Map<number, { name: string; start: number }[]>();
  const exact: { tid: number; name: string; start: number; end: number }[] = [];
  for (const e of sorted) {
    if (hasCat(e, 'node.threadpoolwork.sync')) {
      let stack = syncOpen.get(e.tid);
      if (!stack) syncOpen.set(e.tid, (stack = []));
      if (e.ph === 'B') stack.push({ name: e.name, start: e.ts });
      else if (e.ph === 'E') {
        const b = stack.pop();
        if (b) exact.push({ tid: e.tid, name: b.name, start: b.start, end: e.ts });
      }
      continue;
    }
    if (!hasCat(e, 'node.threadpoolwork.async')) continue;
    const family = familyOfEvent(e.name);
    const fallbackType = e.name === 'zlib' ? 'ZLIB' : e.name;
    const key = `${family}\0${e.name}\0${e.id ?? ''}\0${e.tid}`;
    if (e.ph === 'b') {
      const job: RawJob = { family, fallbackType, submitTid: e.tid, submit: e.ts, done: -1, eventId: e.id };
      open.set(key, job);
      asyncJobs.push(job);
    } else if (e.ph === 'e') {
      const job = open.get(key);
      if (job) {
        job.done = e.ts;
        open.delete(key);
      }
    }
  }
  // Runs still open when the process ended ran until its end.
  for (const [tid, stack] of syncOpen) for (const b of stack) exact.push({ tid, name: b.name, start: b.start, end: Math.max(b.start, endTs) });
  return { async: asyncJobs, exact };
}

/** Pairs exact runs with submissions by name in FIFO order (see the file comment). */
function pairExact(asyncJobs: RawJob[], exact: { tid: number; name: string; start: number; end: number }[]): RawJob[] {
  const byName = new Map<string, RawJob[]>();
  for (const j of asyncJobs) {
    const name = j.family === 'zlib' ? 'zlib' : j.family === 'crypto' ? 'crypto' : j.fallbackType;
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(j);
  }
  const orphans: RawJob[] = [];
  const exactSorted = [...exact].sort((a, b) => a.start - b.start);
  const next = new Map<string, number>();
  for (const x of exactSorted) {
    const list = byName.get(x.name) ?? [];
    const i = next.get(x.name) ?? 0;
    // ≤ start + 1: both are rounded to whole µs.
    if (i < list.length && list[i].submit <= x.start + 1) {
      const j = list[i];
      j.exactTid = x.tid;
      j.start = Math.max(j.submit, x.start);
      j.end = Math.max(j.start, x.end);
      next.set(x.name, i + 1);
    } else {
      // A pool run whose submission was not recorded: it was submitted no later than it started.
      orphans.push({ family: familyOfEvent(x.name), fallbackType: x.name === 'zlib' ? 'ZLIB' : x.name, submitTid: 0, submit: x.start, done: x.end, exactTid: x.tid, start: x.start, end: x.end });
    }
  }
  return orphans;
}

/** Maps OS tids to JS thread keys (`pid:threadId`) using the runner's T records. */
function jsThreadsByTid(model: TraceModel, pid: number): Map<number, string> {
  const m = new Map<number, string>();
  for (const t of model.threads.values()) if (t.osTid > 0) m.set(t.osTid, t.key);
  // The main thread's OS tid is the pid on Linux; elsewhere trace events still use it for the main thread.
  if (!m.has(pid)) m.set(pid, `${pid}:0`);
  return m;
}

/**
 * Links jobs to the async resources that submitted them: the latest not yet linked resource of a
 * matching type created on the same JS thread at most {@link LINK_WINDOW_US} before the submission
 * (the resource is created in the same synchronous call that submits the work). zlib jobs are
 * linked otherwise: see {@link linkZlib}.
 */
const LINK_WINDOW_US = 100_000;

/** The latest resource created ≤ t, within the window, not linked yet. */
function pickOp(list: AsyncOp[], t: number, used: Set<AsyncOp>): AsyncOp | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].created <= t) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1, steps = 0; i >= 0 && steps < 64; i--, steps++) {
    const op = list[i];
    if (t - op.created > LINK_WINDOW_US) break;
    if (!used.has(op)) return op;
  }
  return undefined;
}

function linkOps(jobs: RawJob[], model: TraceModel, tidToThread: Map<number, string>, pid: number): Set<AsyncOp> {
  const groups = new Map<string, AsyncOp[]>();
  // Only families the events report are linked: up to Node 24 trace events report no fs or
  // getaddrinfo work, so those resources (thousands on an I/O-heavy run) stay unlinked and become
  // inferred jobs without being grouped here. Node 26 reports a small file's readFile and writeFile
  // (one job each) and fs.cp's copy.
  const reported = new Set(jobs.map((j) => j.family));
  for (const op of model.ops.values()) {
    const fam = poolFamilyOfType(op.type);
    if (!fam || fam === 'zlib' || !reported.has(fam) || !op.thread.startsWith(`${pid}:`)) continue;
    const k = `${op.thread}\0${fam}`;
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(op);
  }
  for (const list of groups.values()) list.sort((a, b) => a.created - b.created);
  const used = new Set<AsyncOp>();
  const ordered = [...jobs].sort((a, b) => a.submit - b.submit);
  for (const j of ordered) {
    // zlib streams are linked by what follows their work, not by creation order (see linkZlib).
    if (j.family === 'zlib') continue;
    const thread = tidToThread.get(j.submitTid);
    if (!thread) continue;
    const list = groups.get(`${thread}\0${j.family}`);
    if (!list) continue;
    // The latest resource created at or before the submission; both clocks are rounded to whole µs,
    // so one created 1 µs "after" it is accepted when nothing earlier fits.
    j.op = pickOp(list, j.submit, used) ?? pickOp(list, j.submit + 1, used);
    if (j.op) used.add(j.op);
  }
  for (const op of linkZlib(ordered.filter((j) => j.family === 'zlib'), model, tidToThread)) used.add(op);
  return used;
}

/**
 * How much earlier than a trace event the runner may stamp what followed it: both are stamped on
 * one clock and rounded to whole µs, and the runner's offset to that clock is measured to a few µs.
 */
const CLOCK_SLACK_US = 5;

/** One callback run on a JS thread: which resource, from when to when (end -1 while open). */
interface CallbackRun {
  start: number;
  end: number;
  op: AsyncOp;
}

/** Every callback run of every resource of one JS thread, by start. */
function callbackRuns(model: TraceModel, thread: string): CallbackRun[] {
  const runs: CallbackRun[] = [];
  for (const op of model.ops.values()) {
    if (op.thread !== thread) continue;
    for (let i = 0; i + 1 < op.callbacks.length; i += 2) runs.push({ start: op.callbacks[i], end: op.callbacks[i + 1], op });
  }
  return runs.sort((a, b) => a.start - b.start);
}

/**
 * Links zlib jobs to their streams' ZLIB resources. A stream's jobs carry no id of the resource, and
 * streams write on their own schedule (a stream created first may write last), so creation order
 * says nothing. What does: Node ends each job on the JS thread by emitting the job's `e` event and
 * then, with no JS in between, calling the stream's write callback in the ZLIB resource's context.
 * So the first callback run on that thread to start at the `e` is the stream's. A job whose `e`
 * is followed by another resource's callback (the stream was closed during the work, so nothing was
 * called), or by a callback a later `e` also precedes, is not linked that way.
 * A stream submits all its jobs through one native handle, which the events name by its address:
 * a job without such a link takes the resource of the nearest linked job of the same handle, if no
 * job linked to another resource lies between them and the resource was alive when it was submitted
 * (an address is reused only after its stream is gone). Any other zlib job stays unlinked.
 */
function linkZlib(jobs: RawJob[], model: TraceModel, tidToThread: Map<number, string>): Set<AsyncOp> {
  const used = new Set<AsyncOp>();
  if (jobs.length === 0) return used;
  const runsOf = new Map<string, CallbackRun[]>();
  // Callback run → the job whose `e` precedes it most closely.
  const claims = new Map<CallbackRun, RawJob>();
  const claimed = new Map<RawJob, CallbackRun>();
  for (const j of [...jobs].sort((a, b) => a.done - b.done)) {
    const thread = tidToThread.get(j.submitTid);
    if (!thread || j.done < 0) continue;
    let runs = runsOf.get(thread);
    if (!runs) runsOf.set(thread, (runs = callbackRuns(model, thread)));
    // First run starting at the `e` and not over by then.
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid].start < j.done - CLOCK_SLACK_US) lo = mid + 1;
      else hi = mid;
    }
    while (lo < runs.length && runs[lo].end >= 0 && runs[lo].end < j.done) lo++;
    const run = runs[lo];
    if (!run) continue;
    const earlier = claims.get(run);
    if (earlier) claimed.delete(earlier);
    claims.set(run, j);
    claimed.set(j, run);
  }
  for (const [j, run] of claimed) if (run.op.type === 'ZLIB') j.op = run.op;
  // The other jobs of each handle, in submission order.
  const byHandle = new Map<string, RawJob[]>();
  for (const j of jobs) {
    if (j.eventId === undefined) continue;
    const k = `${j.submitTid}\0${j.eventId}`;
    let list = byHandle.get(k);
    if (!list) byHandle.set(k, (list = []));
    list.push(j);
  }
  const alive = (op: AsyncOp, t: number) => op.created <= t + 1 && (op.destroyed === undefined || op.destroyed >= t);
  for (const list of byHandle.values()) {
    list.sort((a, b) => a.submit - b.submit);
    const fill: (AsyncOp | undefined)[] = list.map((j) => j.op);
    for (let i = 0; i < list.length; i++) {
      if (list[i].op) continue;
      let before: AsyncOp | undefined;
      for (let k = i - 1; k >= 0 && !before; k--) before = list[k].op;
      let after: AsyncOp | undefined;
      for (let k = i + 1; k < list.length && !after; k++) after = list[k].op;
      const t = list[i].submit;
      // Neighbours that disagree leave the job between them unlinked: the address changed streams there.
      const candidates = [before, after].filter((op): op is AsyncOp => op !== undefined && alive(op, t));
      if (candidates.length > 0 && (!before || !after || before === after)) fill[i] = candidates[0];
    }
    list.forEach((j, i) => (j.op = fill[i]));
  }
  for (const j of jobs) if (j.op) used.add(j.op);
  return used;
}

/** Jobs of pool-backed async resources that no trace event covers: all fs and getaddrinfo work, and any other when Node's trace file was lost. */
function jobsFromUnlinkedOps(model: TraceModel, used: Set<AsyncOp>, pid: number): RawJob[] {
  const out: RawJob[] = [];
  for (const op of model.ops.values()) {
    if (used.has(op) || !op.thread.startsWith(`${pid}:`)) continue;
    const fam = poolFamilyOfType(op.type);
    // A ZLIB resource is a stream handle, not one job: without trace events its jobs are unknown.
    if (!fam || fam === 'zlib') continue;
    // Completion = the first callback (the work's after-callback), else the resource's end.
    const done = op.callbacks.length > 0 ? op.callbacks[0] : op.destroyed;
    if (done === undefined) continue;
    out.push({ family: fam, fallbackType: op.type, submitTid: 0, submit: op.created, done, op });
  }
  return out;
}

/** A pool lane being built. */
interface Lane {
  osTid: number;
  name: string;
  evidence: string;
  /** Busy intervals, sorted by start. */
  busy: { start: number; end: number; inferred: boolean }[];
  /**
   * Intervals before this index ended before the submission being placed; submissions are placed
   * in time order, so they can never matter again (keeps placement linear in the number of jobs).
   */
  cursor: number;
}

/** Threads Node 20 starts before running any JS besides the main thread (V8 platform workers and helpers). */
const NODE_STARTUP_THREADS = 6;

/** Identifies the pool threads (see docs/trace-format.md, "Pool lanes"). */
/** The name Node 22 and newer give the libuv threadpool's threads (`comm` in /proc). */
export const POOL_THREAD_NAME = 'libuv-worker';

function identifyLanes(ev: PoolEvidence, exactTids: Set<number>, firstUse: number | undefined): Lane[] {
  const lanes: Lane[] = [];
  const taken = new Set<number>();
  const add = (osTid: number, name: string, evidence: string) => {
    if (osTid > 0 && taken.has(osTid)) return;
    if (osTid > 0) taken.add(osTid);
    lanes.push({ osTid, name, evidence, busy: [], cursor: 0 });
  };
  const src = ev.osThreadSource ?? 'os threads';
  const os = ev.osThreads ?? [];
  const comm = new Map(os.map((t) => [t.tid, t.comm]));
  const named = os.filter((t) => t.comm === POOL_THREAD_NAME).sort((a, b) => a.tid - b.tid);
  for (const t of named) add(t.tid, t.comm, `${src}: named libuv-worker`);
  for (const tid of [...exactTids].sort((a, b) => a - b)) {
    add(tid, comm.get(tid) ?? 'pool', `trace events: pool work ran on this thread${comm.has(tid) ? `; seen in ${src}` : ''}`);
  }
  const used = firstUse !== undefined || lanes.length > 0;
  if (!used) return lanes;
  const size = Math.max(ev.poolSize, lanes.length);
  if (lanes.length < size && named.length === 0 && os.length > 0 && firstUse !== undefined) {
    // Node 20 names every thread `node`. libuv starts all its threads at once at the first pool use,
    // after Node's startup threads (and after the thread of Node's trace events, which the runner
    // starts right before that use), and tids grow: so the pool threads are the newest non-JS
    // threads listed by the first sample taken after the first job was submitted.
    const jsTids = new Set<number>([ev.pid]);
    for (const t of ev.model.threads.values()) if (t.osTid > 0) jsTids.add(t.osTid);
    const others = os.filter((t) => !jsTids.has(t.tid));
    const firstAfter = (ev.sampleTimes ?? []).find((t) => t >= firstUse);
    // Without a sample after the first use, the pool threads may never have been listed: only trust
    // the listing when it holds more threads than Node starts by itself (4 V8 workers, the delayed-task
    // scheduler and the signal-handling thread).
    const pool =
      firstAfter !== undefined
        ? others.filter((t) => t.firstSeen <= firstAfter && t.lastSeen >= firstAfter)
        : others.length >= size + NODE_STARTUP_THREADS
          ? others
          : [];
    const picked = pool
      .filter((t) => !taken.has(t.tid))
      .sort((a, b) => b.tid - a.tid)
      .slice(0, size - lanes.length)
      .sort((a, b) => a.tid - b.tid);
    for (const t of picked) add(t.tid, t.comm, `${src}: newest threads at the first pool use`);
  }
  // libuv starts exactly UV_THREADPOOL_SIZE threads at first use: the ones not identified still existed.
  while (lanes.length < size) add(0, 'pool', `inferred: libuv starts ${ev.poolSize} threads at the first pool use`);
  // Lanes in thread creation order (tids grow); threads of unknown id last.
  return lanes.sort((a, b) => (a.osTid || Infinity) - (b.osTid || Infinity));
}

/** Where and when a job ran: a lane's busy interval ([start, end), µs). */
interface Placement {
  lane: number;
  start: number;
  end: number;
  inferred: boolean;
}

/**
 * Earliest time ≥ t at which the lane is free. With `exactOnly`, inferred intervals are ignored:
 * their ends are only upper bounds, so they can be cut back when a later completion needs the thread.
 */
function freeAt(lane: Lane, t: number, exactOnly = false): number {
  const busy = lane.busy;
  while (lane.cursor < busy.length && busy[lane.cursor].end <= t) lane.cursor++;
  let f = t;
  for (let i = lane.cursor; i < busy.length; i++) {
    const iv = busy[i];
    if (iv.start > f) break;
    if (exactOnly && iv.inferred) continue;
    if (iv.end > f) f = iv.end;
  }
  return f;
}

/** Start of the lane's next busy interval after the free instant f (Infinity when none): a job placed at f must end by then. */
function nextBusyStart(lane: Lane, f: number): number {
  for (let i = lane.cursor; i < lane.busy.length; i++) if (lane.busy[i].start > f) return lane.busy[i].start;
  return Infinity;
}

function insertBusy(lane: Lane, iv: Placement): void {
  let i = lane.busy.length;
  while (i > 0 && lane.busy[i - 1].start > iv.start) i--;
  lane.busy.splice(i, 0, iv);
}

/**
 * Places the inferred jobs around the exact ones already on their lanes by replaying libuv's FIFO
 * queue over all submissions, exact and inferred alike (`jobs` sorted by submission):
 * - a job cannot start before its submission, nor before any job submitted earlier started (the
 *   queue hands jobs out in order), so it waits for the exact jobs queued ahead of it;
 * - it started no later than its completion was seen, nor than any exact job submitted after it;
 * - it goes to the first thread free in that window (an exact job later on that thread is a fact:
 *   the inferred one ended before it), and ends when its completion was seen.
 * Every job fills a gap of its lane and ends by the lane's next interval, so jobs never overlap on
 * a lane and no more jobs run at once than there are lanes.
 */
function placeInferred(jobs: RawJob[], lanes: Lane[], placed: Map<RawJob, Placement>): void {
  // latestStart[i]: the earliest start of an exact job submitted after job i.
  const latestStart: number[] = new Array(jobs.length);
  let min = Infinity;
  for (let i = jobs.length - 1; i >= 0; i--) {
    latestStart[i] = min;
    if (jobs[i].exactTid !== undefined) min = Math.min(min, jobs[i].start as number);
  }
  // Latest start of the jobs submitted so far: the queue's head cannot have started earlier.
  let floor = -Infinity;
  jobs.forEach((j, i) => {
    if (j.exactTid !== undefined) {
      floor = Math.max(floor, j.start as number);
      return;
    }
    const from = Math.max(j.submit, floor);
    const until = Math.max(from, Math.min(j.done, latestStart[i]));
    let best = 0;
    let bestFree = Infinity;
    let cut = -1;
    let cutFree = Infinity;
    lanes.forEach((l, k) => {
      const f = freeAt(l, from);
      if (f < bestFree) {
        bestFree = f;
        best = k;
      }
      const g = freeAt(l, from, true);
      if (g < cutFree) {
        cutFree = g;
        cut = k;
      }
    });
    let start = bestFree;
    if (bestFree > until && cutFree < bestFree) {
      // The job completed, or a later exact job started, before any modelled thread was free: the
      // modelled ends of earlier inferred jobs (their completion as seen by the JS thread) are later
      // than their real ends. Cut back the one holding the thread that is free first without it.
      best = cut;
      start = cutFree;
      const lane = lanes[cut];
      for (let b = lane.cursor; b < lane.busy.length; b++) {
        const iv = lane.busy[b];
        if (iv.start > cutFree) break;
        if (!iv.inferred || iv.end <= cutFree) continue;
        // It started before this job's window: cut it there. It started at the window (it is the job
        // ahead in the queue): both ran within the window, give each half.
        const at = iv.start < from ? from : Math.floor((iv.start + Math.min(until, iv.end)) / 2);
        iv.end = Math.max(iv.start, at);
        start = Math.max(cutFree, iv.end);
      }
    }
    const lane = lanes[best];
    const p = { lane: best, start, end: Math.min(Math.max(start, j.done), nextBusyStart(lane, start)), inferred: true };
    placed.set(j, p);
    insertBusy(lane, p);
    floor = Math.max(floor, start);
  });
}

/** Builds the P and J records of a run. */
export function buildPool(ev: PoolEvidence): PoolResult {
  const { async: asyncJobs, exact } = collectJobs(ev.events, ev.endTs);
  const orphans = pairExact(asyncJobs, exact);
  const tidToThread = jsThreadsByTid(ev.model, ev.pid);
  let jobs = [...asyncJobs, ...orphans];
  const used = linkOps(jobs, ev.model, tidToThread, ev.pid);
  jobs = jobs.concat(jobsFromUnlinkedOps(ev.model, used, ev.pid));
  if (jobs.length === 0 && !(ev.osThreads ?? []).some((t) => t.comm === POOL_THREAD_NAME) && exact.length === 0) {
    return { threads: [], jobs: [] };
  }
  for (const j of jobs) if (j.done < 0) j.done = Math.max(j.submit, ev.endTs);
  // Queue order: inferred jobs are submitted at their resource's creation, as recorded by the runner;
  // an exact job's submission comes from Node's trace events, which can be stamped a few µs after
  // the runner stamped resources created later in the same synchronous code. So an exact job linked
  // to a one-job resource is ordered by that resource's creation: one clock for every job.
  const order = (j: RawJob) => (j.exactTid !== undefined && j.op && j.op.type !== 'ZLIB' ? Math.min(j.submit, j.op.created) : j.submit);
  jobs.sort((a, b) => order(a) - order(b) || (a.start ?? a.submit) - (b.start ?? b.submit));
  const exactTids = new Set(jobs.filter((j) => j.exactTid !== undefined).map((j) => j.exactTid as number));
  let firstUse: number | undefined;
  for (const j of jobs) if (firstUse === undefined || j.submit < firstUse) firstUse = j.submit;
  const lanes = identifyLanes(ev, exactTids, firstUse);
  const laneOfTid = new Map<number, number>();
  lanes.forEach((l, i) => l.osTid > 0 && laneOfTid.set(l.osTid, i));

  const placed = new Map<RawJob, Placement>();
  // Exact runs first: they are facts the FIFO replay must fit around.
  for (const j of jobs) {
    if (j.exactTid === undefined) continue;
    const lane = laneOfTid.get(j.exactTid) as number;
    const p = { lane, start: j.start as number, end: j.end as number, inferred: false };
    placed.set(j, p);
    insertBusy(lanes[lane], p);
  }
  placeInferred(jobs, lanes, placed);

  const threads: PoolThreadRecord[] = lanes.map((l, i) => ['P', i, l.osTid, l.name, l.evidence]);
  const out: PoolJobRecord[] = [];
  const ids = ev.jobIds ?? { byOp: new Map<string, number>(), next: 1 };
  for (const j of jobs) {
    const p = placed.get(j);
    if (!p) continue;
    const op = j.op;
    // A ZLIB handle submits many jobs: only one-job resources keep their id across calls.
    const stable = op && op.type !== 'ZLIB' ? op.key : undefined;
    let id = stable !== undefined ? ids.byOp.get(stable) : undefined;
    if (id === undefined) {
      id = ids.next++;
      if (stable !== undefined) ids.byOp.set(stable, id);
    }
    const threadId = op ? Number(op.thread.split(':')[1]) : -1;
    out.push(['J', id, op ? op.type : j.fallbackType, j.submit, p.start, p.end, p.lane, p.inferred ? 1 : 0, threadId, op ? op.asyncId : -1]);
  }
  return { threads, jobs: out };
}

/**
 * Ids of the jobs that waited in the queue for a thread: submitted while the lane they ran on was
 * still busy with an earlier job. (Every job starts a few µs after its submission, queued or not:
 * waking a pool thread takes time; that is not queuing.)
 */
export function queuedJobIds(jobs: Iterable<PoolJob>): Set<number> {
  const byLane = new Map<number, PoolJob[]>();
  for (const j of jobs) {
    let l = byLane.get(j.poolIndex);
    if (!l) byLane.set(j.poolIndex, (l = []));
    l.push(j);
  }
  const out = new Set<number>();
  for (const list of byLane.values()) {
    list.sort((a, b) => a.start - b.start);
    let busyUntil = -Infinity;
    for (const j of list) {
      if (j.start > j.submit && busyUntil > j.submit) out.add(j.id);
      busyUntil = Math.max(busyUntil, j.end);
    }
  }
  return out;
}

/** Largest number of jobs running at the same instant (intervals are half-open [start, end)). */
export function maxConcurrentJobs(jobs: Iterable<PoolJob>): number {
  const pts: [number, number][] = [];
  for (const j of jobs) {
    if (j.end <= j.start) continue;
    pts.push([j.start, 1], [j.end, -1]);
  }
  // Ends before starts at the same instant: back-to-back jobs on one thread do not overlap.
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of pts) {
    cur += d;
    if (cur > max) max = cur;
  }
  return max;
}
