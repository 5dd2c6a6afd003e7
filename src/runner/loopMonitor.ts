/**
 * Busy/idle tracking of one JS thread's event loop. Every outermost callback run (an async_hooks
 * callback, a promise job, the script's top-level code) is one run; runs separated by less than
 * {@link MERGE_GAP_US} are merged into one busy stretch (L record), and a single run longer than the
 * blocking threshold is flagged (Z record) with the source of what ran.
 *
 * Work the runner itself does on the thread (compiling TypeScript, starting Node's loader hooks) is
 * cut out of both: it becomes an S record of its own, the busy stretch around it is split, and only
 * the script's own time before and after it counts towards a blocking run.
 */
import { TagCode, type TraceWriter } from './traceWriter';

/** Runs closer than this (µs) belong to the same busy stretch: the loop was never really idle. */
export const MERGE_GAP_US = 200;

/** Tracks busy stretches and blocking runs of this thread. */
export class LoopMonitor {
  private depth = 0;
  private open = false;
  private stretchStart = 0;
  private lastEnd = 0;
  private runStart = 0;
  private runStack = 0;

  constructor(
    private readonly out: TraceWriter,
    private readonly blockUs: number,
  ) {}

  /** A callback starts at `ts`; `stackId` names its source (0 = unknown). */
  enter(ts: number, stackId: number): void {
    if (this.depth++ !== 0) return;
    if (this.open && ts - this.lastEnd > MERGE_GAP_US) {
      this.out.rec2(TagCode.LoopBusy, this.stretchStart, this.lastEnd);
      this.open = false;
    }
    if (!this.open) {
      this.open = true;
      this.stretchStart = ts;
    }
    this.runStart = ts;
    this.runStack = stackId;
  }

  /** Names the source of the outermost run in progress, when it became known only after it started (a Worker's file). */
  nameRun(stackId: number): void {
    if (this.depth > 0) this.runStack = stackId;
  }

  /**
   * Names the source of the outermost run in progress if it has none yet: code found running inside
   * a run that was entered without one (an ES module's body inside a job of Node's loader).
   */
  nameUnknownRun(stackId: number): void {
    if (this.depth > 0 && this.runStack === 0) this.runStack = stackId;
  }

  /** The callback that started last ended at `ts`. */
  exit(ts: number): void {
    if (this.depth === 0) return;
    if (--this.depth !== 0) return;
    this.lastEnd = ts;
    if (ts - this.runStart > this.blockUs) this.out.rec3(TagCode.LoopBlocked, this.runStart, ts, this.runStack);
  }

  /**
   * The runner itself kept this thread busy from `start` to `end` (µs), doing `what` (e.g.
   * `TypeScript compile`), possibly in the middle of a run of the script's code.
   */
  runnerWork(start: number, end: number, what: string): void {
    if (this.depth > 0) {
      // The script's part of the run before the runner's work is judged on its own.
      if (start - this.runStart > this.blockUs) this.out.rec3(TagCode.LoopBlocked, this.runStart, start, this.runStack);
      this.runStart = end;
      if (start > this.stretchStart) this.out.rec2(TagCode.LoopBusy, this.stretchStart, start);
      this.stretchStart = end;
    } else if (this.open) {
      this.out.rec2(TagCode.LoopBusy, this.stretchStart, this.lastEnd);
      this.open = false;
    }
    this.out.write(`["S",${start},${end},${JSON.stringify(what)}]\n`);
  }

  /** Emits the last stretch when the loop has been idle since (called at each flush). */
  flushIdle(now: number): void {
    if (this.depth === 0 && this.open && now - this.lastEnd > MERGE_GAP_US) {
      this.out.rec2(TagCode.LoopBusy, this.stretchStart, this.lastEnd);
      this.open = false;
    }
  }

  /** Closes everything at the end of the thread (`now` ends a run still in progress). */
  finish(now: number): void {
    if (this.depth > 0) {
      if (now - this.runStart > this.blockUs) this.out.rec3(TagCode.LoopBlocked, this.runStart, now, this.runStack);
      this.lastEnd = now;
      this.depth = 0;
    }
    if (this.open) this.out.rec2(TagCode.LoopBusy, this.stretchStart, this.lastEnd);
    this.open = false;
  }
}
