/**
 * A last guard against orphans for scripts that never return to their event loop: the runner's own
 * pipe watch (src/runner/parentWatch.ts) runs in the script's thread, so a script stuck in a
 * synchronous loop never notices that the CLI is gone. A tiny `sh` started by the CLI waits on a pipe
 * from the CLI instead; if that pipe ends without a word (the CLI died, even by SIGKILL), it gives the
 * runner time to end the script gracefully, then kills it with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Seconds the watchdog waits before SIGKILL: more than the runner's own SIGTERM-then-SIGKILL (1.5 s). */
export const WATCHDOG_GRACE_S = 2;

/**
 * `read` fails only at end of input without a line: the CLI died. A line ("ok") means the run ended
 * normally and the watchdog just exits. `$0` is the script's pid.
 */
const WATCHDOG_SCRIPT = `read _ || { sleep ${WATCHDOG_GRACE_S}; kill -KILL "$0" 2>/dev/null; }`;

/** A running watchdog: call {@link Watchdog.release} once the script has ended. */
export interface Watchdog {
  /** Tells the watchdog the run ended normally (it exits without killing anything). */
  release(): void;
}

/** Starts a watchdog for the script's process `pid`; undefined where there is no POSIX shell (Windows). */
export function startWatchdog(pid: number): Watchdog | undefined {
  if (process.platform === 'win32' || !existsSync('/bin/sh')) return undefined;
  let sh: ChildProcess;
  try {
    // Its own process group: a Ctrl+C in the terminal goes to the script and the CLI, not to it.
    sh = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return undefined;
  }
  sh.on('error', () => {
    // No watchdog then: the runner's own pipe watch still ends a script whose loop turns.
  });
  sh.stdin?.on('error', () => {
    // The watchdog is gone already.
  });
  // Never keeps the CLI alive.
  sh.unref();
  return {
    release() {
      try {
        sh.stdin?.end('ok\n');
      } catch {
        // Gone already.
      }
    },
  };
}
