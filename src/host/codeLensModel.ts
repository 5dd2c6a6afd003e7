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
  /** Total time (µs) the operations waited for their result and the tasks spent suspended at `await`. */
  waitingUs: number;
  /** Total time (µs) the pool jobs spent queued before a pool thread took them. */
  queuedUs: number;
  /** Keys for a `selectOps` message: op keys, task keys and `job:<id>`. */
  keys: string[];
}

/** Per file path: per line. */
export type LensIndex = Map<string, Map<number, LineOps>>;

/** Builds the per-line index of a trace (as read so far; open intervals end at `model.lastTs`). */
export function aggregateByLine(model: TraceModel): LensIndex {
  const index: LensIndex = new Map();
  const entry = (file: string, line: number): LineOps => {
    let lines = index.get(file);
    if (!lines) index.set(file, (lines = new Map()));
    let e = lines.get(line);
    if (!e) lines.set(line, (e = { line, ops: 0, tasks: 0, poolJobs: 0, waitingUs: 0, queuedUs: 0, keys: [] }));
    return e;
  };
  const now = model.lastTs;
  const byOp = new Map<string, LineOps>();
  for (const op of model.ops.values()) {
    const src = op.stack[0];
    if (!src || op.type === 'PROMISE') continue;
    const e = entry(src.file, src.line);
    e.ops++;
    e.keys.push(op.key);
    // Waiting = from creation until its first callback ran (or it ended without one).
    const firstCb = op.callbacks.length > 0 ? op.callbacks[0] : (op.destroyed ?? now);
    e.waitingUs += Math.max(0, firstCb - op.created);
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
      e.waitingUs += Math.max(0, end - s[i]);
    }
  }
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
