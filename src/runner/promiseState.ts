/**
 * Whether a settled promise was rejected. A promise hook is told that a promise settled, not how;
 * V8 answers through its `%PromiseStatus` runtime function, reachable only from code compiled
 * while `--allow-natives-syntax` is on. That flag is turned on just to compile one tiny function
 * and turned off again (unless the script's own command line asked for it), so the script's code
 * is parsed as before. V8 12 and older (Node 20 and 22) have the function; where it is missing
 * (Node 24) the answer is unknown.
 */
import * as v8 from 'node:v8';

/** Settled state of a promise: 1 rejected, 0 fulfilled, -1 unknown. */
export type RejectedReader = (p: Promise<unknown>) => 1 | 0 | -1;

const unknown: RejectedReader = () => -1;

/** Makes the reader for this Node; never throws. */
export function makeRejectedReader(): RejectedReader {
  const asked = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /allow[-_]natives[-_]syntax/.test(a));
  let status: ((p: unknown) => number) | undefined;
  try {
    if (!asked) v8.setFlagsFromString('--allow-natives-syntax');
    // %PromiseStatus: 0 pending, 1 fulfilled, 2 rejected.
    const f = new Function('p', 'return %PromiseStatus(p);') as (p: unknown) => number;
    // Called while the flag is still on: V8 may compile the body only at its first call. Probed with
    // a fulfilled and a pending promise only: a rejected one would need a handler, whose job would
    // run in the script's time (seen by its own hooks, and taking a rejection id of its).
    if (f(Promise.resolve(1)) === 1 && f(new Promise(() => undefined)) === 0) status = f;
  } catch {
    status = undefined;
  } finally {
    if (!asked) {
      try {
        v8.setFlagsFromString('--no-allow-natives-syntax');
      } catch {
        // Nothing to undo.
      }
    }
  }
  if (status === undefined) return unknown;
  const f = status;
  return (p) => {
    try {
      const s = f(p);
      return s === 2 ? 1 : s === 1 ? 0 : -1;
    } catch {
      return -1;
    }
  };
}
