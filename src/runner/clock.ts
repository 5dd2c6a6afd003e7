/**
 * Timestamps of the trace: integer microseconds since the run origin (a `process.hrtime.bigint()`
 * value handed over by the CLI). `performance.now()` reads the same monotonic clock as hrtime and is
 * much cheaper than `hrtime.bigint()`, so the offset between the two is measured once per thread.
 */
import { performance } from 'node:perf_hooks';

/** A clock returning µs since the origin. */
export type Clock = () => number;

/** Makes the clock of this thread for the given origin (ns, decimal string). */
export function makeClock(originNs: string): Clock {
  let origin: bigint;
  try {
    origin = BigInt(originNs);
  } catch {
    origin = process.hrtime.bigint();
  }
  const hr = process.hrtime.bigint();
  const pn = performance.now();
  // µs to add to performance.now()*1000 to get µs since the origin.
  const base = Number(hr - origin) / 1000 - pn * 1000;
  return () => Math.floor(performance.now() * 1000 + base);
}
