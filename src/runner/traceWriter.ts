/**
 * Per-thread writer of trace records (see src/trace/format.ts). Records are buffered as text lines
 * and appended to the trace file in whole chunks with one `writeSync` on an `O_APPEND` descriptor,
 * each chunk starting with the thread's context record, so chunks of different threads never tear.
 */
import * as fs from 'node:fs';

/** Buffered text above which a chunk is written at once, so memory stays bounded between flushes. */
const MAX_BUFFERED_CHARS = 512 * 1024;

/** Appends this thread's records to the trace file. */
export class TraceWriter {
  private parts: string[] = [];
  private size = 0;
  private fd = -1;
  private failed = false;
  /** Lines written in front of the first chunk (e.g. the thread record, known only once the thread's script is set). */
  private preamble: (() => string) | undefined;

  /**
   * @param path trace file to append to (created by the CLI).
   * @param context the context record line (`["@",pid,threadId]\n`) that starts every chunk.
   */
  constructor(
    private readonly path: string,
    private readonly context: string,
  ) {}

  /** Sets a function whose text is written once, at the start of the first chunk. */
  setPreamble(fn: () => string): void {
    this.preamble = fn;
  }

  /** Queues one complete line (must end with `\n`). */
  write(line: string): void {
    this.parts.push(line);
    this.size += line.length;
    if (this.size > MAX_BUFFERED_CHARS) this.flush();
  }

  /** Writes everything queued so far as one chunk. Never throws. */
  flush(): void {
    if ((this.parts.length === 0 && !this.preamble) || this.failed) return;
    let text = this.context;
    if (this.preamble) {
      const p = this.preamble;
      this.preamble = undefined;
      try {
        text += p();
      } catch {
        // A broken preamble must not lose the records behind it.
      }
    }
    text += this.parts.join('');
    this.parts = [];
    this.size = 0;
    try {
      if (this.fd < 0) this.fd = fs.openSync(this.path, 'a');
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      // One write(2) in practice; the loop only guards against a short write.
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch {
      // The trace file is gone or the disk is full: stop writing, never disturb the script.
      this.failed = true;
    }
  }

  /** Flushes and closes the descriptor. */
  close(): void {
    this.flush();
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already closed.
      }
      this.fd = -1;
    }
  }
}

/** Serializes a string for a record (JSON string literal). */
export function str(s: string): string {
  return JSON.stringify(s);
}
