/**
 * What the page says about one span: the facts shown in the tooltip and the details pane, and the
 * causal chain of the operation behind it. Pure code over the trace model.
 */
import { SegmentState, type AsyncOp, type SourceFrame, type Task, type TraceModel } from '../src/trace/model';
import { MarkKind, STATE_NAMES, sourceAt, type Lane, type LaneMark, type SpanSource, SpanState } from './lanes';

/** Facts about one span. Every string comes from the trace and must be inserted as text. */
export interface SpanInfo {
  /** Resource type or kind, e.g. `GETADDRINFOREQWRAP`, `async task`, `event loop busy`. */
  type: string;
  /** Short label: function name, task label, or type. */
  label: string;
  /** Drawing state name, e.g. `running`, `waiting`. */
  state: string;
  /** µs. */
  start: number;
  /** µs. */
  duration: number;
  /** µs the operation waited before this span ran (queued on the pool, pending before its callback, suspended at an await), if meaningful. */
  wait?: number;
  /** Label of the thread it ran on (or was created on). */
  thread: string;
  /** Whether the runner inferred the pool thread placement. */
  inferred: boolean;
  /** User frames, innermost first: `stack[0]` is the source. */
  stack: SourceFrame[];
  /** Key for selection and the causal chain: an op key, task key or `job:<id>`. */
  key: string;
  /** Why the bar ends where it does when the recorder stopped following it (see {@link cutNote}). */
  cut?: string;
}

/** Milliseconds for the notes below: whole ms from 100 ms on, tenths below. */
function ms(value: number): string {
  return value >= 100 ? `${Math.round(value).toLocaleString('en-US')} ms` : `${value.toFixed(1)} ms`;
}

/**
 * What a bar of a task or PROMISE operation cut at `cut` µs says: it is not known to have ended
 * there, the runner stopped looking, and at what cost of its stack captures on that thread.
 */
export function cutNote(model: TraceModel, thread: string, cut: number): string {
  const stop = model.threads.get(thread)?.followStop;
  const cost = stop ? ` (its stack captures took ${ms(stop.captureMs)})` : '';
  return `not followed after ${ms(cut / 1000)}: the runner stopped following this thread's promises${cost}`;
}

/** What the tooltip of a lane mark says: the thread's stop and its cost, or the cut of a bar. */
export function markNote(model: TraceModel, mark: LaneMark): string {
  if (mark.kind === MarkKind.Cut) return cutNote(model, mark.thread, mark.time);
  const stop = model.threads.get(mark.thread)?.followStop;
  const cost = stop ? `: its ${stop.captures.toLocaleString('en-US')} stack captures had taken ${ms(stop.captureMs)}, past its overhead limit` : '';
  return `At ${ms(mark.time / 1000)} the runner stopped following the promises of ${threadLabel(model, mark.thread)}${cost}`;
}

/** How to get every promise followed, for the notices (the extension's setting or the CLI option). */
export const FOLLOW_EVERYTHING = 'To follow all: turn off the setting concurrencyDiagram.overheadLimit (CLI: --no-overhead-limit)';

/**
 * The one-line notice of a trace in which the recorder stopped following the promises of some
 * thread(s), or undefined: names each thread, when, and what its stack captures had cost.
 */
export function followStopNotice(model: TraceModel): string | undefined {
  const stops: string[] = [];
  for (const t of model.threads.values()) {
    const s = t.followStop;
    if (!s) continue;
    stops.push(`Promises of ${threadLabel(model, t.key)} not followed after ${ms(s.ts / 1000)}: its ${s.captures.toLocaleString('en-US')} stack captures took ${ms(s.captureMs)}, over the runner's limit`);
  }
  if (stops.length === 0) return undefined;
  return `${stops.join('; ')}; open tasks end at a zigzag. ${FOLLOW_EVERYTHING}.`;
}

/**
 * The notice of a trace in which the recorder's hooks ran out of stack (`G` records: the script made
 * async work a few frames from the stack limit), or undefined: per thread, how many hook calls were
 * cut short and what is missing from the diagram because of them.
 */
export function stackCutNotice(model: TraceModel): string | undefined {
  const parts: string[] = [];
  for (const t of model.threads.values()) {
    const c = t.stackCuts;
    if (!c) continue;
    const missing: string[] = [];
    if (c.lost) missing.push(`${c.lost.toLocaleString('en-US')} async operation(s) not recorded`);
    if (c.unsourced) missing.push(`${c.unsourced.toLocaleString('en-US')} with the source of their trigger`);
    if (c.dropped) missing.push(`${c.dropped.toLocaleString('en-US')} record(s) dropped`);
    parts.push(`${threadLabel(model, t.key)}: ${c.cut.toLocaleString('en-US')} recorder hook call(s) out of stack${missing.length ? ` (${missing.join(', ')})` : ''}`);
  }
  if (parts.length === 0) return undefined;
  return `Async work made near the stack limit, where the recorder had no stack left: ${parts.join('; ')}`;
}

/** Human label of a JS thread key (`pid:threadId`), given the model. */
export function threadLabel(model: TraceModel, key: string): string {
  const t = model.threads.get(key);
  if (!t) return `thread ${key}`;
  return t.name || (t.kind === 'main' ? 'main' : `worker #${t.threadId}`);
}

function opOfSource(s: SpanSource): AsyncOp | undefined {
  switch (s.kind) {
    case 'callback':
    case 'opLife':
      return s.op;
    case 'job':
    case 'queued':
      return s.op;
    default:
      return undefined;
  }
}

/** Describes span `i` of `lane`. */
export function describeSpan(model: TraceModel, lane: Lane, i: number): SpanInfo {
  const t = lane.spans;
  const start = t.start[i];
  const end = t.end[i];
  const state = t.state[i] as SpanState;
  const src = sourceAt(lane, t.src[i]);
  const base = { start, duration: end - start, state: STATE_NAMES[state], inferred: state === SpanState.Inferred };
  switch (src.kind) {
    case 'callback':
    case 'opLife': {
      const op = src.op;
      const cb = op.callbacks;
      let wait: number | undefined;
      if (src.kind === 'opLife' && state === SpanState.Waiting) wait = undefined;
      else {
        // The first callback waited since creation; later ones since the previous callback ended.
        for (let k = 0; k + 1 < cb.length; k += 2) {
          if (cb[k] === start) {
            wait = start - (k === 0 ? op.created : cb[k - 1]);
            break;
          }
        }
      }
      const cut = op.cut !== undefined && op.destroyed === undefined ? cutNote(model, op.thread, op.cut) : undefined;
      return { ...base, type: op.type, label: op.stack[0]?.fn || op.type, wait, thread: threadLabel(model, op.thread), stack: op.stack, key: op.key, cut };
    }
    case 'job':
    case 'queued': {
      const j = src.job;
      const stack = src.op?.stack ?? [];
      return {
        ...base,
        type: j.type,
        label: stack[0]?.fn || j.type,
        wait: src.kind === 'job' ? j.start - j.submit : undefined,
        thread: src.kind === 'job' ? `threadpool ${j.poolIndex + 1}` : 'threadpool queue',
        inferred: j.inferred,
        stack,
        key: `job:${j.id}`,
      };
    }
    case 'task': {
      const task = src.task;
      let wait: number | undefined;
      const s = task.segments;
      for (let k = 3; k + 2 < s.length; k += 3) {
        if (s[k] === start && state === SpanState.Running && s[k - 1] === SegmentState.Waiting) wait = s[k - 2] >= 0 ? s[k - 2] - s[k - 3] : undefined;
      }
      const cut = task.cut !== undefined ? cutNote(model, task.thread, task.cut) : undefined;
      return { ...base, type: task.failed ? 'async task (rejected)' : 'async task', label: task.name || '(anonymous)', wait, thread: threadLabel(model, task.thread), stack: task.stack, key: task.key, cut };
    }
    case 'busy':
      // The runner's own work on the thread (S records) is told apart from the script's.
      if (src.stretch.runner) return { ...base, type: `runner start-up (${src.stretch.runner})`, label: 'runner, not the script', thread: threadLabel(model, src.stretch.thread), stack: [], key: `runner:${src.stretch.thread}:${start}` };
      return { ...base, type: 'event loop busy', label: 'running JavaScript', thread: threadLabel(model, src.stretch.thread), stack: src.stretch.stack, key: `busy:${src.stretch.thread}:${start}` };
    case 'blocked':
      return { ...base, type: 'event loop blocked', label: src.stretch.stack[0]?.fn || 'synchronous code', thread: threadLabel(model, src.stretch.thread), stack: src.stretch.stack, key: `blocked:${src.stretch.thread}:${start}` };
  }
}

/** One step of a causal chain. */
export interface ChainItem {
  /** Op or task key (`job:<id>` for a pool job). */
  key: string;
  /** e.g. `TCPCONNECTWRAP fetchThing app.ts:12`. */
  label: string;
  /** Its source, if known. */
  frame?: SourceFrame;
}

/** Index from trigger key to the ops it triggered, built once per model size. */
export class CausalIndex {
  private readonly triggered = new Map<string, AsyncOp[]>();
  private readonly childTasks = new Map<string, Task[]>();
  private readonly jobsByOp = new Map<string, number>();
  private builtFor = -1;

  constructor(private readonly model: TraceModel) {}

  private ensure(): void {
    const m = this.model;
    if (this.builtFor === m.records) return;
    this.builtFor = m.records;
    this.triggered.clear();
    this.childTasks.clear();
    this.jobsByOp.clear();
    for (const op of m.ops.values()) {
      if (!op.triggerKey) continue;
      let l = this.triggered.get(op.triggerKey);
      if (!l) this.triggered.set(op.triggerKey, (l = []));
      l.push(op);
    }
    for (const t of m.tasks.values()) {
      if (!t.parentKey) continue;
      let l = this.childTasks.get(t.parentKey);
      if (!l) this.childTasks.set(t.parentKey, (l = []));
      l.push(t);
    }
    for (const j of m.poolJobs.values()) if (j.opKey) this.jobsByOp.set(j.opKey, j.id);
  }

  private opItem(op: AsyncOp): ChainItem {
    const f = op.stack[0];
    return { key: op.key, label: `${op.type}${f?.fn ? ' ' + f.fn : ''}`, frame: f };
  }

  /** What caused `key`, nearest first (trigger chain for ops, callers for tasks), up to `limit`. */
  causes(key: string, limit = 20): ChainItem[] {
    this.ensure();
    const m = this.model;
    const out: ChainItem[] = [];
    if (key.startsWith('job:')) {
      const job = m.poolJobs.get(Number(key.slice(4)));
      if (!job?.opKey) return out;
      const op = m.ops.get(job.opKey);
      if (op) out.push(this.opItem(op));
      key = job.opKey;
    }
    const task = m.tasks.get(key);
    if (task) {
      for (let p = task.parentKey ? m.tasks.get(task.parentKey) : undefined; p && out.length < limit; p = p.parentKey ? m.tasks.get(p.parentKey) : undefined) {
        out.push({ key: p.key, label: `async task ${p.name || '(anonymous)'}`, frame: p.stack[0] });
      }
      return out;
    }
    const seen = new Set<string>([key]);
    for (let op = m.ops.get(key); op?.triggerKey && out.length < limit; ) {
      if (seen.has(op.triggerKey)) break;
      seen.add(op.triggerKey);
      const parent = m.ops.get(op.triggerKey);
      if (!parent) break;
      out.push(this.opItem(parent));
      op = parent;
    }
    return out;
  }

  /** What `key` triggered directly (ops whose trigger it is, tasks it called, its pool job). */
  effects(key: string, limit = 50): ChainItem[] {
    this.ensure();
    const out: ChainItem[] = [];
    const jobId = this.jobsByOp.get(key);
    if (jobId !== undefined) {
      const j = this.model.poolJobs.get(jobId)!;
      out.push({ key: `job:${jobId}`, label: `${j.type} on threadpool ${j.poolIndex + 1}` });
    }
    for (const op of this.triggered.get(key) ?? []) {
      if (out.length >= limit) break;
      out.push(this.opItem(op));
    }
    for (const t of this.childTasks.get(key) ?? []) {
      if (out.length >= limit) break;
      out.push({ key: t.key, label: `async task ${t.name || '(anonymous)'}`, frame: t.stack[0] });
    }
    return out;
  }
}

/** Formats µs as a short duration: `850 µs`, `12.3 ms`, `4.56 s`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const a = Math.abs(us);
  if (a < 1000) return `${Math.round(us)} µs`;
  if (a < 1e6) return `${(us / 1000).toFixed(a < 1e4 ? 2 : 1)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** Locates span keys in lanes: the first span of each lane drawn from the object with this key. */
export function findSpansByKey(lanes: Lane[], keys: ReadonlySet<string>): { lane: Lane; index: number }[] {
  const out: { lane: Lane; index: number }[] = [];
  for (const lane of lanes) {
    const hit = new Set<number>();
    for (let k = 0; k < lane.refs.length; k++) {
      const key = sourceKey(sourceAt(lane, k));
      if (key !== undefined && keys.has(key)) hit.add(k);
    }
    if (hit.size === 0) continue;
    const t = lane.spans;
    for (let i = 0; i < t.n; i++) {
      if (hit.has(t.src[i])) {
        out.push({ lane, index: i });
        hit.delete(t.src[i]);
        if (hit.size === 0) break;
      }
    }
  }
  return out;
}

/** The selection key of a span source (op key, task key, `job:<id>`), undefined for loop stretches. */
export function sourceKey(s: SpanSource): string | undefined {
  switch (s.kind) {
    case 'callback':
    case 'opLife':
      return s.op.key;
    case 'job':
    case 'queued':
      return `job:${s.job.id}`;
    case 'task':
      return s.task.key;
    default:
      return undefined;
  }
}

/** The op behind a span source, if any (for "only my code" and search). */
export { opOfSource };
