/**
 * Timestamps of the trace: integer microseconds since the run origin (a `process.hrtime.bigint()`
 * value handed over by the CLI). `performance.now()` reads the same monotonic clock as hrtime and is
 * much cheaper than `hrtime.bigint()`, so the offset between the two is measured once per thread.
 */
import { performance } from 'node:perf_hooks';

/** A clock returning µs since the origin. */
export type Clock = () => number;

/** Readings of the offset; the one taken in the shortest interval is kept. */
const OFFSET_SAMPLES = 5;

/** Makes the clock of this thread for the given origin (ns, decimal string). */
export function makeClock(originNs: string): Clock {
  let origin: bigint;
  try {
    origin = BigInt(originNs);
  } catch {
    origin = process.hrtime.bigint();
  }
  // The first call of each clock in a thread sets it up and takes tens of µs: made before measuring,
  // or every timestamp would be off by that much against Node's trace events (stamped with hrtime).
  performance.now();
  process.hrtime.bigint();
  // µs to add to performance.now()*1000 to get µs since the origin: hrtime read between two
  // performance.now() readings, taken at their midpoint.
  let base = 0;
  let best = Infinity;
  for (let i = 0; i < OFFSET_SAMPLES; i++) {
    const before = performance.now();
    const hr = process.hrtime.bigint();
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      base = Number(hr - origin) / 1000 - ((before + after) / 2) * 1000;
    }
  }
  return () => Math.floor(performance.now() * 1000 + base);
}
