/**
 * Ends the script when the CLI that runs it dies (e.g. it was SIGKILLed), so the script is not left
 * running as an orphan that nobody stops and whose trace nobody finishes.
 *
 * The CLI gives the script's process the read end of a pipe (fd {@link RunnerConfig.parentFd}) and
 * never writes to it: the read end sees end-of-file only when every write end is closed, that is
 * when the CLI's process is gone. The handle is unref'd (it never keeps the script alive) and made
 * before the async hooks are enabled (it is never recorded as the script's).
 */
import * as net from 'node:net';

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
