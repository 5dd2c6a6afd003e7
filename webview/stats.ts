/**
 * Statistics of a trace, as shown in the statistics table: per-lane busy share, per-type counts,
 * durations and waits, threadpool utilisation and queueing, event-loop blocked time, and the
 * longest waits. Pure code; durations in µs.
 */
import type { TraceModel } from '../src/trace/model';
import { SegmentState } from '../src/trace/model';
import { SpanState, type Lane } from './lanes';
import { threadLabel } from './spanInfo';

/** Busy share of one lane. */
export interface LaneStat {
  laneId: string;
  label: string;
  /** µs covered by running/blocked/job spans (overlaps counted once). */
  busy: number;
  /** busy / the run's duration, 0..1. */
  busyShare: number;
}

/** Counts and times of one async resource type. */
export interface TypeStat {
  type: string;
  count: number;
  /** Sum of durations (pool jobs: run time on the pool; other resources: creation to end). */
  total: number;
  mean: number;
  max: number;
  /** Mean and max wait (pool jobs: queued time; other resources: creation to first callback). */
  meanWait: number;
  maxWait: number;
}

/** A wait, linked to the span that ended it. */
export interface WaitStat {
  /** µs waited. */
  wait: number;
  /** What waited, e.g. `PBKDF2REQUEST hashAll app.ts:9`. */
  label: string;
  /** Selection key of the object (op key, task key, `job:<id>`). */
  key: string;
  /** µs when the wait ended. */
  at: number;
}

/** All statistics. */
export interface Stats {
  /** Duration of the run (µs). */
  duration: number;
  lanes: LaneStat[];
  types: TypeStat[];
  /** Number of libuv threadpool threads seen. */
  poolThreads: number;
  /** Sum of pool job run times / (pool threads × duration), 0..1. */
  poolUtilisation: number;
  /** Sum over pool jobs of (start − submit). */
  poolQueued: number;
  /** Pool jobs that waited in the queue. */
  poolQueuedJobs: number;
  /** Sum of blocked stretches per JS thread label. */
  blocked: { thread: string; total: number; count: number }[];
  /** The 10 longest waits, longest first. */
  longestWaits: WaitStat[];
}

/** Length of the union of [start, end) spans with the given states (table sorted by start). */
function unionLength(lane: Lane, states: ReadonlySet<number>): number {
  const t = lane.spans;
  let total = 0;
  let cs = -1;
  let ce = -1;
  for (let i = 0; i < t.n; i++) {
    if (!states.has(t.state[i])) continue;
    const s = t.start[i];
    const e = t.end[i];
    if (s > ce) {
      if (ce > cs) total += ce - cs;
      cs = s;
      ce = e;
    } else if (e > ce) ce = e;
  }
  if (ce > cs) total += ce - cs;
  return total;
}

// The runner's own start-up (SpanState.Runner) is not the script's busy time.
const BUSY_STATES = new Set<number>([SpanState.Running, SpanState.Blocked, SpanState.Inferred]);

class TopN {
  readonly items: WaitStat[] = [];
  constructor(private readonly n: number) {}
  add(w: WaitStat): void {
    if (w.wait <= 0) return;
    if (this.items.length === this.n && w.wait <= this.items[this.n - 1].wait) return;
    this.items.push(w);
    this.items.sort((a, b) => b.wait - a.wait);
    if (this.items.length > this.n) this.items.pop();
  }
}

/**
 * Computes the statistics of the model, with busy shares of the given (thread and task) lanes.
 * Resource types in `hiddenTypes` (the page's type filter) are left out of the per-type table and
 * the longest waits.
 */
export function computeStats(model: TraceModel, lanes: readonly Lane[], start: number, end: number, hiddenTypes: ReadonlySet<string> = new Set()): Stats {
  const duration = Math.max(1, end - start);
  const laneStats: LaneStat[] = [];
  for (const l of lanes) {
    if (l.group === 'ops' || l.id === 'pool:queue') continue;
    const busy = unionLength(l, BUSY_STATES);
    laneStats.push({ laneId: l.id, label: l.label, busy, busyShare: busy / duration });
  }

  const per = new Map<string, { count: number; total: number; max: number; waitSum: number; waitN: number; maxWait: number }>();
  const acc = (type: string, dur: number, wait: number | undefined): void => {
    if (hiddenTypes.has(type)) return;
    let s = per.get(type);
    if (!s) per.set(type, (s = { count: 0, total: 0, max: 0, waitSum: 0, waitN: 0, maxWait: 0 }));
    s.count++;
    s.total += dur;
    if (dur > s.max) s.max = dur;
    if (wait !== undefined) {
      s.waitSum += wait;
      s.waitN++;
      if (wait > s.maxWait) s.maxWait = wait;
    }
  };
  const top = new TopN(10);
  const jobOps = new Set<string>();
  let poolBusy = 0;
  let poolQueued = 0;
  let poolQueuedJobs = 0;
  let poolMax = model.poolThreads.filter(Boolean).length;
  for (const j of model.poolJobs.values()) {
    if (j.opKey) jobOps.add(j.opKey);
    const wait = Math.max(0, j.start - j.submit);
    acc(j.type, j.end - j.start, wait);
    poolBusy += Math.max(0, j.end - j.start);
    poolQueued += wait;
    if (wait > 0) poolQueuedJobs++;
    poolMax = Math.max(poolMax, j.poolIndex + 1);
    const op = j.opKey ? model.ops.get(j.opKey) : undefined;
    const f = op?.stack[0];
    if (!hiddenTypes.has(j.type)) top.add({ wait, label: `${j.type} queued${f ? ` ${f.fn || ''} ${shortFile(f.file)}:${f.line}` : ''}`, key: `job:${j.id}`, at: j.start });
  }
  for (const op of model.ops.values()) {
    if (jobOps.has(op.key)) continue; // counted with its pool job
    const cb = op.callbacks;
    const lastEnd = cb.length && cb[cb.length - 1] >= 0 ? cb[cb.length - 1] : op.created;
    const endTs = op.destroyed !== undefined ? Math.max(op.destroyed, lastEnd) : lastEnd;
    const wait = cb.length ? cb[0] - op.created : undefined;
    acc(op.type, Math.max(0, endTs - op.created), wait);
    if (wait !== undefined && !hiddenTypes.has(op.type)) {
      const f = op.stack[0];
      top.add({ wait, label: `${op.type}${f ? ` ${f.fn || ''} ${shortFile(f.file)}:${f.line}` : ''}`, key: op.key, at: cb[0] });
    }
  }
  for (const t of model.tasks.values()) {
    const s = t.segments;
    for (let k = 0; k + 2 < s.length; k += 3) {
      if (s[k + 2] !== SegmentState.Waiting || s[k + 1] < 0) continue;
      // The await a cut task was in ends at the cut only because the runner stopped following it.
      if (t.cut !== undefined && k + 3 >= s.length) continue;
      const f = t.stack[0];
      top.add({ wait: s[k + 1] - s[k], label: `await in ${t.name || '(anonymous)'}${f ? ` ${shortFile(f.file)}:${f.line}` : ''}`, key: t.key, at: s[k + 1] });
    }
  }
  const types: TypeStat[] = [...per.entries()]
    .map(([type, s]) => ({ type, count: s.count, total: s.total, mean: s.total / s.count, max: s.max, meanWait: s.waitN ? s.waitSum / s.waitN : 0, maxWait: s.maxWait }))
    .sort((a, b) => b.total - a.total);

  const blockedBy = new Map<string, { thread: string; total: number; count: number }>();
  for (const b of model.blocked) {
    const label = threadLabel(model, b.thread);
    let s = blockedBy.get(label);
    if (!s) blockedBy.set(label, (s = { thread: label, total: 0, count: 0 }));
    s.total += b.end - b.start;
    s.count++;
  }
  return {
    duration,
    lanes: laneStats,
    types,
    poolThreads: poolMax,
    poolUtilisation: poolMax ? poolBusy / (poolMax * duration) : 0,
    poolQueued,
    poolQueuedJobs,
    blocked: [...blockedBy.values()],
    longestWaits: top.items,
  };
}

function shortFile(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}
