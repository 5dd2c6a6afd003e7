/**
 * A minimal test runner for the extension-host suite: the code-server harness loads `index.js` and
 * calls `run()`; it needs no test framework inside the extension host, only ordered tests whose
 * failures are counted and printed.
 */

/** One registered test. */
interface SuiteTest {
  name: string;
  fn: () => Promise<void> | void;
}

const tests: SuiteTest[] = [];

/** Registers a test (run in registration order). */
export function test(name: string, fn: () => Promise<void> | void): void {
  tests.push({ name, fn });
}

/** Runs every registered test; rejects with a summary when any failed. */
export async function runAll(log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const failed: string[] = [];
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await t.fn();
      log(`ok - ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed.push(t.name);
      log(`not ok - ${t.name}\n  ${String((e as Error)?.stack ?? e).replace(/\n/g, '\n  ')}`);
    }
  }
  log(`# ${tests.length - failed.length}/${tests.length} extension-host tests passed`);
  if (failed.length > 0) throw new Error(`${failed.length} extension-host test(s) failed: ${failed.join('; ')}`);
}

/** Waits until `cond()` is true (checked every 50 ms), failing with `what` after `ms`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
