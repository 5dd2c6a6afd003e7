/**
 * Ends the script when the CLI that runs it dies (e.g. it was SIGKILLed), so the script is not left
 * running as an orphan that nobody stops and whose trace nobody finishes.
 *
 * The CLI gives the script's process the read end of a pipe (fd {@link RunnerConfig.parentFd}) and
 * never writes to it: the read end sees end-of-file only when every write end is closed, that is
 * when the CLI's process is gone. The handle is unref'd (it never keeps the script alive) and made
 * before the async hooks are enabled (it is never recorded as the script's).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

/** The pipe being watched, while it is open (a destroyed socket has closed the fd, which the script may reuse). */
let watched: { fd: number; socket: net.Socket } | undefined;

/** How long the script's own SIGTERM handler may take before the process is killed, ms (the CLI's own escalation). */
export const PARENT_GONE_KILL_AFTER_MS = 1500;

/**
 * Watches fd `fd`; when the CLI is gone, calls `onGone` (flush the trace), then ends the process the
 * way the CLI would have stopped it: SIGTERM (the script's handlers run; without one, the runner's
 * flushes and Node's default applies), then SIGKILL if it is still alive after
 * {@link PARENT_GONE_KILL_AFTER_MS}. Returns false when the fd cannot be watched.
 */
export function watchParent(fd: number, onGone: () => void): boolean {
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd, readable: true, writable: false });
  } catch {
    return false;
  }
  watched = { fd, socket };
  let gone = false;
  const parentGone = (): void => {
    if (gone) return;
    gone = true;
    try {
      onGone();
    } catch {
      // The process is ended either way.
    }
    const kill = setTimeout(() => process.kill(process.pid, 'SIGKILL'), PARENT_GONE_KILL_AFTER_MS);
    kill.unref();
    process.kill(process.pid, 'SIGTERM');
  };
  // The CLI never writes: any data is ignored, only the end of the pipe matters. Read as 'readable'
  // (the socket already reads, since it was made): a 'data' listener would resume the stream in a
  // tick of its own, which would run after the script's top level, where the script can see it.
  socket.on('readable', () => {
    while (socket.read() !== null);
  });
  socket.on('end', parentGone);
  socket.on('error', (e: NodeJS.ErrnoException) => {
    // A reset pipe is the CLI gone too; any other error (a platform where the fd cannot be read
    // this way) only ends the watch: the script must never be ended by a failure of ours.
    if (e.code === 'ECONNRESET' || e.code === 'EPIPE') parentGone();
    else socket.destroy();
  });
  socket.unref();
  return true;
}

/**
 * Tells the CLI, over the pipe watched above, that this process took signal `sig`: its event loop
 * turned and the listeners run now. A Ctrl+C in a terminal reaches the script straight from the
 * terminal, not through the CLI, and only this line tells the CLI that the script is handling it
 * (and must not be killed), not stuck in a synchronous loop that never runs a listener.
 */
export function tellSignalTaken(sig: string): void {
  if (!watched || watched.socket.destroyed) return;
  try {
    // Synchronous: a listener may go on with synchronous work, or end the process, right after.
    fs.writeSync(watched.fd, `${sig}\n`);
  } catch {
    // A full or broken pipe: the CLI then takes the signal as not taken, as it always did.
  }
}
