/**
 * Lane layout: turns a {@link TraceModel} into the rows the diagram draws. Pure code (no DOM), so
 * it is unit-tested and shared by the page, the benchmark and the tests.
 *
 * Each lane keeps its spans in columnar typed arrays sorted by start, so drawing and hit-testing
 * never allocate per span; the objects behind the spans (async ops, tasks, pool jobs, loop
 * stretches) are referenced once per lane in `sources`.
 */
import { SegmentState, type AsyncOp, type LoopStretch, type PoolJob, type SourceFrame, type Task, type TraceModel } from '../src/trace/model';

/** Drawing state of a span. The numeric order is also the draw priority when bars merge. */
export const enum SpanState {
  /** Code running on the thread (a callback, a busy loop, a pool job, a task running). */
  Running = 0,
  /** Suspended at an await, or an async resource pending. */
  Waiting = 1,
  /** Submitted to the threadpool, no thread yet. */
  Queued = 2,
  /** A synchronous stretch that blocked the event loop (> threshold). */
  Blocked = 3,
  /** A threadpool job whose thread placement was inferred by the runner's FIFO model. */
  Inferred = 4,
  /** The runner's own work on a thread (its start-up, a TypeScript compile): not the script's. */
  Runner = 5,
  /** An async generator suspended at a `yield` until its consumer asks for the next value. */
  Parked = 6,
}

/** Number of {@link SpanState} values (for per-state arrays). */
export const SPAN_STATE_COUNT = 7;

/** Human names of the states, indexed by {@link SpanState}. */
export const STATE_NAMES = ['running', 'waiting', 'queued', 'blocked event loop', 'running (placement inferred)', 'runner start-up', 'parked at a yield (until the consumer asks for the next value)'];

/** Lane groups, in display order. */
export type LaneGroup = 'threads' | 'tasks' | 'ops';

/** Display titles of the groups. */
export const GROUP_TITLES: Record<LaneGroup, string> = { threads: 'Threads', tasks: 'Async tasks', ops: 'Async resources' };

/** What a span was drawn from. */
export type SpanSource =
  | { kind: 'callback'; op: AsyncOp }
  | { kind: 'opLife'; op: AsyncOp }
  | { kind: 'job'; job: PoolJob; op?: AsyncOp }
  | { kind: 'queued'; job: PoolJob; op?: AsyncOp }
  | { kind: 'task'; task: Task }
  | { kind: 'busy'; stretch: LoopStretch }
  | { kind: 'blocked'; stretch: LoopStretch };

/** Kinds of {@link SpanSource}, stored per source in {@link Lane.kinds}. */
export const enum SourceKind {
  Callback = 0,
  OpLife = 1,
  Job = 2,
  Queued = 3,
  Task = 4,
  Busy = 5,
  Blocked = 6,
}

const KIND_NAMES = ['callback', 'opLife', 'job', 'queued', 'task', 'busy', 'blocked'] as const;

/** What a lane stores per source: the model object itself (no wrapper per span source). */
export type SourceRef = AsyncOp | Task | LoopStretch | PoolJob | SpanSource;

/** The source `k` of a lane as a {@link SpanSource} (built on demand: lanes keep only references). */
export function sourceAt(lane: Lane, k: number): SpanSource {
  const kind = lane.kinds[k] as SourceKind;
  const ref = lane.refs[k];
  switch (kind) {
    case SourceKind.Callback:
    case SourceKind.OpLife:
      return { kind: KIND_NAMES[kind] as 'callback' | 'opLife', op: ref as AsyncOp };
    case SourceKind.Task:
      return { kind: 'task', task: ref as Task };
    case SourceKind.Busy:
    case SourceKind.Blocked:
      return { kind: KIND_NAMES[kind] as 'busy' | 'blocked', stretch: ref as LoopStretch };
    case SourceKind.Job:
    case SourceKind.Queued: {
      // The resource behind a job is looked up when asked for, not for each of the jobs at layout.
      const job = ref as PoolJob;
      return { kind: KIND_NAMES[kind] as 'job' | 'queued', job, op: job.opKey ? lane.ops?.get(job.opKey) : undefined };
    }
    default:
      return ref as SpanSource;
  }
}

/** Columnar spans of one lane, sorted by start (µs). */
export interface SpanTable {
  /** Number of spans. */
  n: number;
  /** Start of each span (µs since the run origin). */
  start: Float64Array;
  /** End of each span (µs). */
  end: Float64Array;
  /** Running maximum of `end` up to each index: lets a binary search find the first span that can overlap a time. */
  maxEnd: Float64Array;
  /** {@link SpanState} of each span. */
  state: Uint8Array;
  /** Index into the lane's `sources` of the object each span was drawn from. */
  src: Int32Array;
}

/** Kinds of {@link LaneMark}. */
export const enum MarkKind {
  /** A bar of the lane ends here because the recorder stopped following it (`cut`), not because it ended. */
  Cut = 0,
  /** The recorder stopped following this thread's promises here (the thread's `followStop`). */
  FollowStop = 1,
}

/** A mark drawn on a lane at one time, over its bars. */
export interface LaneMark {
  /** µs since the run origin. */
  time: number;
  kind: MarkKind;
  /** Key of the JS thread whose stop it shows (`pid:threadId`): the tooltip names its cost. */
  thread: string;
}

/** One row of the diagram. */
export interface Lane {
  /** Stable id (survives re-layouts while a trace grows), e.g. `thread:123:0`, `pool:2`, `task:123:0:7`. */
  id: string;
  group: LaneGroup;
  /** Label shown beside the row, e.g. `main`, `worker #1 hash.ts`, `threadpool 3`, `fetchThing · app.ts:12`. */
  label: string;
  /** Nesting depth inside its group (0 = top level). */
  depth: number;
  /** Id of the lane it is nested under, if any. */
  parentId?: string;
  /** True when other lanes are nested under it (it can be collapsed). */
  hasChildren: boolean;
  /** The objects the spans come from (see {@link sourceAt}); `spans.src` indexes this. */
  refs: SourceRef[];
  /** {@link SourceKind} of each entry of `refs`. */
  kinds: Uint8Array;
  spans: SpanTable;
  /** First user frame of the lane itself (task call site, worker file), for reveal from the label. */
  source?: SourceFrame;
  /** The trace's async resources by key, on pool lanes: where {@link sourceAt} finds the resource behind a job. */
  ops?: ReadonlyMap<string, AsyncOp>;
  /**
   * Times to mark on the lane, sorted: where the recorder stopped following a thread's promises,
   * and where bars end because of it. Few per lane (one per thread that stopped), whatever the
   * number of bars cut, so they are drawn apart from the level-of-detail merge of the bars.
   */
  marks?: LaneMark[];
}

/** What to show. */
export interface LaneFilter {
  /** Groups to hide entirely. */
  hiddenGroups: ReadonlySet<LaneGroup>;
  /** Async resource types to hide (PROMISE by default). */
  hiddenTypes: ReadonlySet<string>;
  /** Hide operations without a user frame in their stack. */
  onlyMyCode: boolean;
  /** Ids of lanes whose nested lanes are folded away (group ids are `group:<name>`). */
  collapsed: ReadonlySet<string>;
}

/** The default filter: everything visible except PROMISE resources. */
export function defaultFilter(): LaneFilter {
  return { hiddenGroups: new Set(), hiddenTypes: new Set(['PROMISE']), onlyMyCode: false, collapsed: new Set() };
}

/** A group header row or a lane row, in display order. */
export type Row = { kind: 'group'; group: LaneGroup; id: string; label: string; count: number; collapsed: boolean } | { kind: 'lane'; lane: Lane };

/** The result of a layout. */
export interface Layout {
  /** All lanes that pass the filter, including those folded under a collapsed parent. */
  lanes: Lane[];
  /** What is displayed, top to bottom: group headers and the lanes that are not folded. */
  rows: Row[];
  /** Every async resource type present in the trace (for the filter menu), sorted. */
  types: string[];
  /** Time range of the data (µs). */
  start: number;
  end: number;
  /** Total number of spans in `lanes`. */
  spanCount: number;
}

/** Grows typed arrays while a lane is being filled (no per-span objects or boxed numbers). */
class SpanBuilder {
  private s: Float64Array;
  private e: Float64Array;
  private st: Uint8Array;
  private src: Int32Array;
  private n = 0;
  private sorted = true;
  readonly refs: SourceRef[] = [];
  private kinds = new Uint8Array(16);

  /**
   * `capacity`: the expected span count when it is known (a task's segments, the pool jobs), so a
   * lane of a huge trace is filled without repeated doubling and copying of its arrays.
   */
  constructor(capacity = 16) {
    const c = Math.max(16, Math.ceil(capacity));
    this.s = new Float64Array(c);
    this.e = new Float64Array(c);
    this.st = new Uint8Array(c);
    this.src = new Int32Array(c);
  }

  /** Registers a source object and returns its index. */
  addSource(kind: SourceKind, ref: SourceRef): number {
    const k = this.refs.length;
    if (k === this.kinds.length) {
      const nk = new Uint8Array(k * 2);
      nk.set(this.kinds);
      this.kinds = nk;
    }
    this.kinds[k] = kind;
    this.refs.push(ref);
    return k;
  }

  add(start: number, end: number, state: SpanState, src: number): void {
    const n = this.n;
    if (n === this.s.length) this.grow();
    if (n > 0 && start < this.s[n - 1]) this.sorted = false;
    this.s[n] = start;
    this.e[n] = end < start ? start : end;
    this.st[n] = state;
    this.src[n] = src;
    this.n = n + 1;
  }

  /**
   * Adds a task's segments (start, end, state triples; an end < 0 is still open and closes at
   * `now`) in one tight loop: at 1M spans this loop is most of the layout, and a single hot
   * function gets optimised sooner than a call per segment.
   */
  addSegments(seg: readonly number[], now: number, src: number): void {
    const count = Math.floor(seg.length / 3);
    while (this.n + count > this.s.length) this.grow();
    const s = this.s;
    const e = this.e;
    const st = this.st;
    const sr = this.src;
    let n = this.n;
    let last = n > 0 ? s[n - 1] : -Infinity;
    let sorted = this.sorted;
    for (let i = 0; i + 2 < seg.length; i += 3) {
      const a = seg[i];
      let b = seg[i + 1];
      if (b < 0) b = now;
      if (b < a) b = a;
      if (a < last) sorted = false;
      last = a;
      s[n] = a;
      e[n] = b;
      const state = seg[i + 2];
      st[n] = state === SegmentState.Running ? SpanState.Running : state === SegmentState.Yielded ? SpanState.Parked : SpanState.Waiting;
      sr[n] = src;
      n++;
    }
    this.n = n;
    this.sorted = sorted;
  }

  private grow(): void {
    const len = this.s.length * 2;
    const s = new Float64Array(len);
    s.set(this.s);
    this.s = s;
    const e = new Float64Array(len);
    e.set(this.e);
    this.e = e;
    const st = new Uint8Array(len);
    st.set(this.st);
    this.st = st;
    const src = new Int32Array(len);
    src.set(this.src);
    this.src = src;
  }

  get size(): number {
    return this.n;
  }

  /** The source kinds, trimmed. */
  sourceKinds(): Uint8Array {
    return this.kinds.slice(0, this.refs.length);
  }

  build(): SpanTable {
    const n = this.n;
    // Arrays filled to (nearly) their capacity, as those sized up front are, are used as they are
    // rather than copied: at 1M spans the copies were a visible share of the layout.
    // An unsorted lane is written in order into new arrays below.
    const sorted = this.sorted;
    const trim = <T extends Float64Array | Uint8Array | Int32Array>(a: T): T =>
      sorted && n === a.length ? a : sorted && n >= a.length * 0.75 ? (a.subarray(0, n) as T) : (a.slice(0, n) as T);
    const t: SpanTable = {
      n,
      start: trim(this.s),
      end: trim(this.e),
      maxEnd: new Float64Array(n),
      state: trim(this.st),
      src: trim(this.src),
    };
    if (!sorted) {
      // A plain array sorts with TimSort, which is fast on the few long sorted runs a lane is made of.
      const order: number[] = new Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const s = this.s;
      const e = this.e;
      order.sort((a, b) => s[a] - s[b] || e[b] - e[a]);
      for (let i = 0; i < n; i++) {
        const k = order[i];
        t.start[i] = s[k];
        t.end[i] = e[k];
        t.state[i] = this.st[k];
        t.src[i] = this.src[k];
      }
    }
    let m = -Infinity;
    for (let i = 0; i < n; i++) {
      if (t.end[i] > m) m = t.end[i];
      t.maxEnd[i] = m;
    }
    return t;
  }
}

/** Last path component, for short labels. */
export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

/** `file.ts:12` of a frame (short form for labels). */
export function shortFrame(f: SourceFrame | undefined): string {
  return f ? `${baseName(f.file)}:${f.line}` : '';
}

/** True when the stack has a frame of user code (what "only my code" keeps). */
export function isUserStack(stack: SourceFrame[]): boolean {
  return stack.length > 0 && !stack[0].file.startsWith('node:') && !stack[0].file.includes('node_modules');
}

/** The label of a task lane: `fetchThing · app.ts:12`. */
export function taskLabel(t: Task): string {
  const name = t.name || '(anonymous)';
  const site = shortFrame(t.stack[0]);
  const label = site ? `${name} · ${site}` : name;
  // In front: long labels are cut at their end in the narrow label column.
  return t.failed ? `✗ ${label}` : label;
}

/** The end to draw for something still open at `now`. */
const closeAt = (end: number | undefined, now: number): number => (end === undefined || end < 0 ? now : end);

/**
 * The end to draw for an async resource: its destruction, else where the recorder stopped
 * following it (a PROMISE operation open then: what it did after is unknown, so it is not drawn
 * as pending to the end of the run), else `now`.
 */
const opEnd = (op: AsyncOp, now: number): number => (op.destroyed !== undefined ? op.destroyed : op.cut !== undefined ? op.cut : now);

/** The cut marks of a lane, one per distinct time (every bar cut on a thread ends at its one stop time). */
function cutMarks(cuts: Map<number, string>): LaneMark[] | undefined {
  if (cuts.size === 0) return undefined;
  return [...cuts].sort((a, b) => a[0] - b[0]).map(([time, thread]) => ({ time, kind: MarkKind.Cut, thread }));
}

/**
 * Lays the model out into lanes. `now` closes spans still open (the newest timestamp of a live
 * trace). Cheap enough to re-run on every filter change and live increment.
 */
export function layoutLanes(model: TraceModel, filter: LaneFilter, now = model.endTs ?? model.lastTs): Layout {
  const lanes: Lane[] = [];
  const typeSet = new Set<string>();
  const typeOk = (type: string): boolean => !filter.hiddenTypes.has(type);
  const stackOk = (stack: SourceFrame[]): boolean => !filter.onlyMyCode || isUserStack(stack);
  const opOk = (op: AsyncOp): boolean => typeOk(op.type) && stackOk(op.stack);

  // ---- Threads: JS threads (main first, then Workers), then libuv pool threads, then the queue.
  const threads = [...model.threads.values()].sort((a, b) => a.pid - b.pid || (a.kind === 'main' ? -1 : 0) - (b.kind === 'main' ? -1 : 0) || a.threadId - b.threadId);
  const threadBuilders = new Map<string, SpanBuilder>();
  for (const t of threads) threadBuilders.set(t.key, new SpanBuilder());
  const threadFor = (key: string): SpanBuilder => {
    let b = threadBuilders.get(key);
    if (!b) {
      // Records of a thread whose start record is missing (e.g. a torn trace): still show them.
      b = new SpanBuilder();
      threadBuilders.set(key, b);
    }
    return b;
  };
  for (const s of model.busy) {
    const b = threadFor(s.thread);
    b.add(s.start, s.end, s.runner ? SpanState.Runner : SpanState.Running, b.addSource(SourceKind.Busy, s));
  }
  for (const s of model.blocked) {
    const b = threadFor(s.thread);
    b.add(s.start, s.end, SpanState.Blocked, b.addSource(SourceKind.Blocked, s));
  }
  // When the resource group is not shown, its lanes keep only their names (building them is a
  // large share of the layout of a huge trace).
  const opsFolded = filter.hiddenGroups.has('ops') || filter.collapsed.has('group:ops');
  const opsByType = new Map<string, AsyncOp[]>();
  for (const op of model.ops.values()) {
    typeSet.add(op.type);
    if (!opOk(op)) continue;
    let list = opsByType.get(op.type);
    if (!list) opsByType.set(op.type, (list = []));
    if (!opsFolded) list.push(op);
    const cb = op.callbacks;
    if (cb.length === 0) continue;
    const b = threadFor(op.thread);
    const src = b.addSource(SourceKind.Callback, op);
    for (let i = 0; i + 1 < cb.length; i += 2) b.add(cb[i], closeAt(cb[i + 1], op.cut ?? now), SpanState.Running, src);
  }
  const seenThreads = new Set<string>();
  for (const t of threads) {
    seenThreads.add(t.key);
    const b = threadFor(t.key);
    const label = t.kind === 'main' ? (t.name || 'main') : t.name || `worker #${t.threadId}${t.file ? ' ' + baseName(t.file) : ''}`;
    const marks = t.followStop ? [{ time: t.followStop.ts, kind: MarkKind.FollowStop, thread: t.key }] : undefined;
    lanes.push({ id: `thread:${t.key}`, group: 'threads', label, depth: 0, hasChildren: false, refs: b.refs, kinds: b.sourceKinds(), spans: b.build(), source: t.file ? { file: t.file, line: 1, column: 1, fn: '' } : undefined, marks });
  }
  for (const [key, b] of threadBuilders) {
    if (seenThreads.has(key) || b.size === 0) continue;
    lanes.push({ id: `thread:${key}`, group: 'threads', label: `thread ${key}`, depth: 0, hasChildren: false, refs: b.refs, kinds: b.sourceKinds(), spans: b.build() });
  }

  const poolBuilders: SpanBuilder[] = [];
  // Jobs spread over the pool threads about evenly; the queue lane gets at most one span per job.
  const jobsPerThread = model.poolJobs.size / Math.max(1, model.poolThreads.filter(Boolean).length);
  const poolFor = (i: number): SpanBuilder => (poolBuilders[i] ??= new SpanBuilder(jobsPerThread * 1.25));
  for (const p of model.poolThreads) if (p) poolFor(p.index);
  const queue = new SpanBuilder(model.poolJobs.size);
  for (const job of model.poolJobs.values()) {
    typeSet.add(job.type);
    if (!typeOk(job.type)) continue;
    if (filter.onlyMyCode) {
      const op = job.opKey ? model.ops.get(job.opKey) : undefined;
      if (!op || !stackOk(op.stack)) continue;
    }
    const b = poolFor(job.poolIndex);
    b.add(job.start, job.end, job.inferred ? SpanState.Inferred : SpanState.Running, b.addSource(SourceKind.Job, job));
    if (job.start > job.submit) queue.add(job.submit, job.start, SpanState.Queued, queue.addSource(SourceKind.Queued, job));
  }
  const ops = model.ops;
  for (let i = 0; i < poolBuilders.length; i++) {
    const b = poolBuilders[i];
    if (!b) continue;
    lanes.push({ id: `pool:${i}`, group: 'threads', label: `threadpool ${i + 1}`, depth: 0, hasChildren: false, refs: b.refs, kinds: b.sourceKinds(), spans: b.build(), ops });
  }
  if (queue.size > 0) lanes.push({ id: 'pool:queue', group: 'threads', label: 'threadpool queue', depth: 0, hasChildren: false, refs: queue.refs, kinds: queue.sourceKinds(), spans: queue.build(), ops });

  // ---- Async tasks, nested under the task that called them, siblings in start order.
  const children = new Map<string, Task[]>();
  const roots: Task[] = [];
  for (const t of model.tasks.values()) {
    if (!stackOk(t.stack)) continue;
    const parent = t.parentKey && model.tasks.has(t.parentKey) ? t.parentKey : undefined;
    if (parent) {
      let c = children.get(parent);
      if (!c) children.set(parent, (c = []));
      c.push(t);
    } else roots.push(t);
  }
  const byStart = (a: Task, b: Task): number => a.start - b.start;
  const visit = (t: Task, depth: number, parentId: string | undefined): void => {
    const s = t.segments;
    const b = new SpanBuilder(s.length / 3);
    const src = b.addSource(SourceKind.Task, t);
    // A cut task's last segment already ends at its cut (the reader closes it there).
    b.addSegments(s, t.cut ?? now, src);
    const kids = children.get(t.key);
    const id = `task:${t.key}`;
    const marks = t.cut !== undefined ? [{ time: t.cut, kind: MarkKind.Cut, thread: t.thread }] : undefined;
    lanes.push({ id, group: 'tasks', label: taskLabel(t), depth, parentId, hasChildren: !!kids, refs: b.refs, kinds: b.sourceKinds(), spans: b.build(), source: t.stack[0], marks });
    if (kids) for (const k of kids.sort(byStart)) visit(k, depth + 1, id);
  };
  for (const t of roots.sort(byStart)) visit(t, 0, undefined);

  // ---- Async resources: one lane per type, each resource from creation to its end (waiting), its
  // callbacks drawn as running on top.
  for (const type of [...opsByType.keys()].sort()) {
    const b = new SpanBuilder();
    const cuts = new Map<number, string>();
    for (const op of opsByType.get(type)!) {
      const src = b.addSource(SourceKind.OpLife, op);
      const cb = op.callbacks;
      const open = opEnd(op, now);
      const lastCb = cb.length ? closeAt(cb[cb.length - 1], open) : op.created;
      const end = Math.max(open, lastCb);
      b.add(op.created, end, SpanState.Waiting, src);
      for (let i = 0; i + 1 < cb.length; i += 2) b.add(cb[i], closeAt(cb[i + 1], open), SpanState.Running, src);
      if (op.cut !== undefined && op.destroyed === undefined) cuts.set(op.cut, op.thread);
    }
    lanes.push({ id: `type:${type}`, group: 'ops', label: type, depth: 0, hasChildren: false, refs: b.refs, kinds: b.sourceKinds(), spans: b.build(), marks: cutMarks(cuts) });
  }

  // ---- Rows: group headers, then lanes not folded under a collapsed group or ancestor.
  const rows: Row[] = [];
  const kept = lanes.filter((l) => !filter.hiddenGroups.has(l.group));
  let start = Infinity;
  let end = -Infinity;
  let spanCount = 0;
  for (const l of kept) {
    spanCount += l.spans.n;
    if (l.spans.n) {
      start = Math.min(start, l.spans.start[0]);
      end = Math.max(end, l.spans.maxEnd[l.spans.n - 1]);
    }
  }
  for (const group of ['threads', 'tasks', 'ops'] as LaneGroup[]) {
    const inGroup = kept.filter((l) => l.group === group);
    if (inGroup.length === 0) continue;
    const id = `group:${group}`;
    const collapsed = filter.collapsed.has(id);
    rows.push({ kind: 'group', group, id, label: GROUP_TITLES[group], count: inGroup.length, collapsed });
    if (collapsed) continue;
    const folded = new Set<string>();
    for (const l of inGroup) {
      if (l.parentId && folded.has(l.parentId)) {
        folded.add(l.id);
        continue;
      }
      if (filter.collapsed.has(l.id)) folded.add(l.id);
      rows.push({ kind: 'lane', lane: l });
    }
  }
  if (!Number.isFinite(start)) start = 0;
  const runStart = model.run?.ts ?? start;
  end = Math.max(end, now, start);
  return { lanes: kept, rows, types: [...typeSet].sort(), start: Math.min(start, runStart, 0), end, spanCount };
}

/** The mark of `marks` nearest to `time` within `tolerance` µs, if any (marks are few per lane). */
export function markAt(marks: readonly LaneMark[], time: number, tolerance: number): LaneMark | undefined {
  let best: LaneMark | undefined;
  for (const m of marks) if (Math.abs(m.time - time) <= tolerance && (!best || Math.abs(m.time - time) < Math.abs(best.time - time))) best = m;
  return best;
}

/** Index of the first span that may overlap time `t` (its end ≥ t), by binary search on maxEnd. */
export function firstOverlapping(t: SpanTable, time: number): number {
  let lo = 0;
  let hi = t.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t.maxEnd[mid] < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The span under time `time` (± `tolerance` µs) in a lane: the shortest one covering it, so a
 * callback inside a busy stretch wins over the stretch. -1 when none.
 */
export function spanAt(t: SpanTable, time: number, tolerance: number): number {
  let best = -1;
  let bestLen = Infinity;
  let bestDist = Infinity;
  for (let i = firstOverlapping(t, time - tolerance); i < t.n && t.start[i] <= time + tolerance; i++) {
    if (t.end[i] < time - tolerance) continue;
    const dist = time < t.start[i] ? t.start[i] - time : time > t.end[i] ? time - t.end[i] : 0;
    const len = t.end[i] - t.start[i];
    if (dist < bestDist || (dist === bestDist && len < bestLen)) {
      best = i;
      bestLen = len;
      bestDist = dist;
    }
  }
  return best;
}
