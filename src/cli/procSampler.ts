/**
 * Samples the OS threads of the script's process from `/proc/<pid>/task` (Linux only): which thread
 * ids exist, their `comm` name, when each was first and last listed. This is the evidence for the
 * threadpool lanes: a lane is drawn only for a thread that was really there.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { POOL_THREAD_NAME, type OsThreadSample } from '../trace/poolModel';

/** Sampling interval while the script starts (pool threads usually appear then), ms. */
const FAST_MS = 10;
/** How long to sample at {@link FAST_MS}, ms. */
const FAST_PERIOD_MS = 500;
/** Sampling interval afterwards, ms: a directory listing costs well under 1% of a core at this rate. */
const SLOW_MS = 75;

/** Samples `/proc/<pid>/task` until stopped. */
export class ProcSampler {
  private readonly seen = new Map<number, OsThreadSample>();
  /** µs of every sample taken, ascending. */
  readonly sampleTimes: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private stopped = false;

  /**
   * @param pid process to watch
   * @param now current time in µs since the run origin (the trace's clock)
   */
  constructor(
    readonly pid: number,
    private readonly now: () => number,
  ) {}

  /** True when this platform has `/proc/<pid>/task`. */
  static available(): boolean {
    return process.platform === 'linux';
  }

  /** Where the samples come from, for the P records' evidence. */
  get source(): string {
    return `/proc/${this.pid}/task`;
  }

  /** Starts sampling (first sample at once). */
  start(): void {
    this.tick();
  }

  /** Takes one sample now. */
  sample(): void {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${this.pid}/task`);
    } catch {
      return; // The process has ended (or /proc is not readable): nothing to see.
    }
    const ts = this.now();
    this.sampleTimes.push(ts);
    for (const name of tids) {
      const tid = Number(name);
      if (!Number.isInteger(tid)) continue;
      const s = this.seen.get(tid);
      if (s) {
        s.lastSeen = ts;
        continue;
      }
      let comm = '';
      try {
        comm = readFileSync(`/proc/${this.pid}/task/${name}/comm`, 'utf8').trim();
      } catch {
        // The thread ended between the listing and this read.
      }
      this.seen.set(tid, { tid, comm, firstSeen: ts, lastSeen: ts });
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.sample();
    const ms = Date.now() - this.started < FAST_PERIOD_MS ? FAST_MS : SLOW_MS;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  /** Stops sampling and returns what was seen. */
  stop(): OsThreadSample[] {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return [...this.seen.values()];
  }

  /**
   * Adds the process's own list of its threads, taken as its main thread ended (see
   * `RunInfo.osThreads`), as one last sample at `ts`: threads that lived between two samples are
   * seen too. Returns everything seen.
   */
  addFinal(threads: readonly [number, string][], ts: number): OsThreadSample[] {
    this.sampleTimes.push(ts);
    for (const [tid, comm] of threads) {
      const s = this.seen.get(tid);
      if (s) {
        s.lastSeen = Math.max(s.lastSeen, ts);
        // A pool thread that a sample saw in the moment between its start and libuv naming it
        // (Node 22+): it keeps the name it gave itself, which is what tells it is a pool thread.
        if (comm === POOL_THREAD_NAME) s.comm = comm;
      } else this.seen.set(tid, { tid, comm, firstSeen: ts, lastSeen: ts });
    }
    return [...this.seen.values()];
  }

  /** What was seen so far. */
  snapshot(): OsThreadSample[] {
    return [...this.seen.values()].map((s) => ({ ...s }));
  }
}
