/**
 * Aggregates a trace by source line for the CodeLens ("3 async ops · 12 ms waiting"): which
 * operations and task lanes each line started, how long they waited, and how long their threadpool
 * jobs queued. Pure: no `vscode` import.
 */
import { SegmentState, type TraceModel } from '../trace/model';

/** What one source line started. */
export interface LineOps {
  /** 1-based line. */
  line: number;
  /** Async resources created at this line (promises excluded: task lanes stand for them). */
  ops: number;
  /** Async function calls (task lanes) called at this line. */
  tasks: number;
  /** Threadpool jobs submitted by those resources. */
  poolJobs: number;
  /**
   * Time (µs) during which something started here was waiting: an operation for its first callback,
   * a task suspended at `await`. Overlapping waits count once, so it never exceeds the run.
   */
  waitingUs: number;
  /** Total time (µs) the pool jobs spent queued before a pool thread took them. */
  queuedUs: number;
  /** Keys for a `selectOps` message: op keys, task keys and `job:<id>`. */
  keys: string[];
}

/** Per file path: per line. */
export type LensIndex = Map<string, Map<number, LineOps>>;

/**
 * Resource types left out of the lenses: promises are drawn as task lanes, and microtasks and
 * nextTick objects are mostly Node's own plumbing under a call (dozens per `fetch`).
 */
const NOT_COUNTED = new Set(['PROMISE', 'Microtask', 'TickObject']);

/** Total length of the union of intervals given as flat pairs `[start, end, …]`. */
export function unionLength(pairs: number[]): number {
  const iv: [number, number][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i + 1] > pairs[i]) iv.push([pairs[i], pairs[i + 1]]);
  iv.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [s, e] of iv) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** Builds the per-line index of a trace (as read so far; open intervals end at `model.lastTs`). */
export function aggregateByLine(model: TraceModel): LensIndex {
  const index: LensIndex = new Map();
  const waits = new Map<LineOps, number[]>();
  const entry = (file: string, line: number): LineOps => {
    let lines = index.get(file);
    if (!lines) index.set(file, (lines = new Map()));
    let e = lines.get(line);
    if (!e) {
      lines.set(line, (e = { line, ops: 0, tasks: 0, poolJobs: 0, waitingUs: 0, queuedUs: 0, keys: [] }));
      waits.set(e, []);
    }
    return e;
  };
  const now = model.lastTs;
  const byOp = new Map<string, LineOps>();
  for (const op of model.ops.values()) {
    const src = op.stack[0];
    if (!src || NOT_COUNTED.has(op.type)) continue;
    const e = entry(src.file, src.line);
    e.ops++;
    e.keys.push(op.key);
    // Waiting = from creation until its first callback ran (or it ended without one).
    const firstCb = op.callbacks.length > 0 ? op.callbacks[0] : (op.destroyed ?? now);
    waits.get(e)?.push(op.created, firstCb);
    byOp.set(op.key, e);
  }
  for (const task of model.tasks.values()) {
    const src = task.stack[0];
    if (!src) continue;
    const e = entry(src.file, src.line);
    e.tasks++;
    e.keys.push(task.key);
    const s = task.segments;
    for (let i = 0; i + 2 < s.length; i += 3) {
      if (s[i + 2] !== SegmentState.Waiting) continue;
      const end = s[i + 1] === -1 ? (task.end ?? now) : s[i + 1];
      waits.get(e)?.push(s[i], end);
    }
  }
  for (const [e, pairs] of waits) e.waitingUs = unionLength(pairs);
  for (const job of model.poolJobs.values()) {
    const e = job.opKey ? byOp.get(job.opKey) : undefined;
    if (!e) continue;
    e.poolJobs++;
    e.queuedUs += Math.max(0, job.start - job.submit);
    e.keys.push(`job:${job.id}`);
  }
  return index;
}

/** Formats µs as a short duration: `850 µs`, `12 ms`, `3.4 s`. */
export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us < 1_000_000) return `${Math.round(us / 1000)} ms`;
  return `${(us / 1_000_000).toFixed(1)} s`;
}
