/**
 * Per-thread writer of trace records (see src/trace/format.ts). Records are encoded straight into a
 * byte buffer (hot records with numbers only never allocate a string: a string per record was
 * most of the garbage collector's work on promise-heavy scripts) and appended to the trace file in
 * whole chunks with one `writeSync` on an `O_APPEND` descriptor, each chunk starting with the
 * thread's context record, so chunks of different threads never tear.
 */
import * as fs from 'node:fs';

/** Buffer size: a full buffer is written at once, so memory stays bounded between flushes. */
const BUFFER_BYTES = 256 * 1024;

/**
 * Bytes before the records in a shared buffer: the end of the queued records, the end of the
 * context and who writes the buffer now (int32 each, see {@link Writing}), so that another thread
 * can write what is queued once this one is gone, or is about to be (the process ends).
 */
const SHARED_HEADER_BYTES = 16;

/** Who writes a shared buffer's queued records to the file (its third int32). */
const enum Writing {
  /** Nobody right now. */
  Free = 0,
  /** Its own thread, flushing. */
  Owner = 1,
  /** Another thread, for good: the owner's later chunks are left out (its thread is gone or about to be). */
  TakenOver = 2,
}

const QUOTE = 0x22;
const COMMA = 0x2c;

/** Appends this thread's records to the trace file. */
export class TraceWriter {
  private buf: Buffer;
  private pos: number;
  private readonly start: number;
  private fd = -1;
  private failed = false;
  /**
   * Records (or, rarely, a whole chunk of them) that could not be queued or written for lack of
   * stack: the buffer was full when a hook deep in the script's recursion had a record to add.
   */
  dropped = 0;
  /** Chunks written so far (or tried). */
  chunks = 0;
  /** Text written once, after the context of the first chunk (e.g. the thread record, known late). */
  private preamble: (() => string) | undefined;
  /** `[end of the queued records, end of the context, Writing]`, kept current for {@link flushShared}. */
  private readonly state: Int32Array;
  /**
   * The buffer's memory when it is shared (see {@link flushShared}): a Worker can be terminated at
   * any moment, its last records still queued; the thread that started it writes them when it exits.
   */
  readonly shared: SharedArrayBuffer | undefined;

  /**
   * @param path trace file to append to (created by the CLI).
   * @param context the context record line (`["@",pid,threadId]\n`) that starts every chunk.
   * @param shared whether to queue records in memory other threads can read ({@link shared}).
   */
  constructor(
    private readonly path: string,
    context: string,
    shared = false,
  ) {
    if (shared) {
      this.shared = new SharedArrayBuffer(SHARED_HEADER_BYTES + BUFFER_BYTES);
      this.state = new Int32Array(this.shared, 0, 3);
      this.buf = Buffer.from(this.shared, SHARED_HEADER_BYTES, BUFFER_BYTES);
    } else {
      this.state = new Int32Array(3);
      this.buf = Buffer.allocUnsafe(BUFFER_BYTES);
    }
    this.start = this.buf.write(context, 0, 'utf8');
    this.pos = this.start;
    this.state[0] = this.pos;
    this.state[1] = this.start;
  }

  /**
   * Appends to `path` the records queued in the shared buffer of another thread's writer, and takes
   * the buffer over for good: its own thread writes nothing more (it is gone, or the process ends
   * and it is about to be). While that thread is writing a chunk, waits up to `waitMs` for it to
   * finish. Never throws.
   */
  static flushShared(path: string, shared: SharedArrayBuffer, waitMs = 0): void {
    try {
      const state = new Int32Array(shared, 0, 3);
      let was = Atomics.compareExchange(state, 2, Writing.Free, Writing.TakenOver);
      if (was === Writing.Owner && waitMs > 0) {
        Atomics.wait(state, 2, Writing.Owner, waitMs);
        was = Atomics.compareExchange(state, 2, Writing.Free, Writing.TakenOver);
      }
      // Still being written (or taken over already): a chunk in the middle of its write is marked
      // written before it is (see flush), so nothing is queued that its thread does not write.
      if (was !== Writing.Free) return;
      const end = Atomics.load(state, 0);
      if (end <= state[1] || end > shared.byteLength - SHARED_HEADER_BYTES) return;
      Atomics.store(state, 0, state[1]);
      const fd = fs.openSync(path, 'a');
      try {
        const chunk = Buffer.from(shared, SHARED_HEADER_BYTES, end);
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // The trace file is gone: nothing to keep them in.
    }
  }

  /** Sets a function whose text is written once, at the start of the first chunk. */
  setPreamble(fn: () => string): void {
    this.preamble = fn;
  }

  /**
   * Queues the preamble's text now, if it was not written yet: once it can be known, so that it is
   * among the queued records should another thread have to write them ({@link flushShared}).
   */
  queuePreamble(): void {
    const p = this.preamble;
    if (!p) return;
    this.preamble = undefined;
    let text = '';
    try {
      text = p();
    } catch {
      // A broken preamble is left out.
    }
    if (text) this.write(text);
  }

  /**
   * Whether `bytes` more fit in the buffer, flushing it first when they do not. False when they
   * still do not: the buffer could not be written now (no stack left for the write), and the
   * record is dropped (counted in {@link dropped}).
   */
  private room(bytes: number): boolean {
    if (this.pos + bytes <= this.buf.length) return true;
    this.flush();
    if (this.pos + bytes <= this.buf.length) return true;
    this.dropped++;
    return false;
  }

  /** Queues one complete line (must end with `\n`). */
  write(line: string): void {
    const max = line.length * 3;
    if (this.pos + max > this.buf.length) {
      this.flush();
      if (this.start + max > this.buf.length) {
        // A huge record (a long error stack): written at once as a chunk of its own.
        if (this.pos === this.start) this.append(Buffer.concat([this.buf.subarray(0, this.start), Buffer.from(line, 'utf8')]));
        else this.dropped++;
        return;
      }
      if (this.pos + max > this.buf.length) {
        this.dropped++;
        return;
      }
    }
    // Committed in one assignment: a record cut short by an exception leaves nothing behind.
    const p = this.pos + this.buf.write(line, this.pos, 'utf8');
    this.pos = p;
    this.commit(p);
  }

  // The numeric records below are encoded at a local position and committed by tail(): an
  // exception in between (a RangeError near the stack limit) leaves no half record in the buffer.

  /** Queues `["T",a,b]\n` where T is a one-character tag given by its char code. */
  rec2(tag: number, a: number, b: number): void {
    if (this.pos + 48 > this.buf.length && !this.room(48)) return;
    let p = this.head(tag);
    p = this.int(a, p);
    this.buf[p++] = COMMA;
    p = this.int(b, p);
    this.tail(p);
  }

  /** Queues `["T",a,b,c]\n`. */
  rec3(tag: number, a: number, b: number, c: number): void {
    if (this.pos + 72 > this.buf.length && !this.room(72)) return;
    let p = this.head(tag);
    p = this.int(a, p);
    this.buf[p++] = COMMA;
    p = this.int(b, p);
    this.buf[p++] = COMMA;
    p = this.int(c, p);
    this.tail(p);
  }

  /** Queues `["T",a,b,c,d,e]\n`. */
  rec5(tag: number, a: number, b: number, c: number, d: number, e: number): void {
    if (this.pos + 120 > this.buf.length && !this.room(120)) return;
    let p = this.head(tag);
    p = this.int(a, p);
    this.buf[p++] = COMMA;
    p = this.int(b, p);
    this.buf[p++] = COMMA;
    p = this.int(c, p);
    this.buf[p++] = COMMA;
    p = this.int(d, p);
    this.buf[p++] = COMMA;
    p = this.int(e, p);
    this.tail(p);
  }

  /** Queues `["T",a,b,c,d,<json>]\n`, `json` being an already serialized value (e.g. a quoted name). */
  rec4s(tag: number, a: number, b: number, c: number, d: number, json: string): void {
    if (this.pos + 100 + json.length * 3 > this.buf.length) {
      this.flush();
      if (this.pos + 100 + json.length * 3 > this.buf.length) {
        this.write(`["${String.fromCharCode(tag)}",${a},${b},${c},${d},${json}]\n`);
        return;
      }
    }
    let p = this.head(tag);
    p = this.int(a, p);
    this.buf[p++] = COMMA;
    p = this.int(b, p);
    this.buf[p++] = COMMA;
    p = this.int(c, p);
    this.buf[p++] = COMMA;
    p = this.int(d, p);
    this.buf[p++] = COMMA;
    p += this.buf.write(json, p, 'utf8');
    this.tail(p);
  }

  /** Encodes the head of a record at the queue's end; returns the position after it. */
  private head(tag: number): number {
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x5b; // [
    b[p++] = QUOTE;
    b[p++] = tag;
    b[p++] = QUOTE;
    b[p++] = COMMA;
    return p;
  }

  /** Ends the record encoded up to `p` and commits it. */
  private tail(p: number): void {
    this.buf[p++] = 0x5d; // ]
    this.buf[p++] = 0x0a; // \n
    this.pos = p;
    this.commit(p);
  }

  /**
   * Marks the records up to `p` queued. In a shared buffer, atomically: the store also makes the
   * bytes before it visible to the thread that may write them (see {@link flushShared}).
   */
  private commit(p: number): void {
    if (this.shared === undefined) this.state[0] = p;
    else Atomics.store(this.state, 0, p);
  }

  /** Encodes a finite number as JSON at `p` (integers digit by digit, anything else through its string form); returns the position after it. */
  private int(n: number, p: number): number {
    if ((n | 0) === n && n >= 0) return this.small(n, p);
    if (n > 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
      // Above 2^31 (µs timestamps after 35 minutes): two int32 halves, the low one zero-padded.
      const hi = Math.floor(n / 1e9);
      return this.padded9(n - hi * 1e9, this.small(hi, p));
    }
    return p + this.buf.write(Number.isFinite(n) ? String(n) : '0', p, 'latin1');
  }

  /** A non-negative int32 at `p`, digit by digit (integer arithmetic only); returns the position after it. */
  private small(n: number, p: number): number {
    const d = n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
    const b = this.buf;
    const end = p + d;
    p = end;
    do {
      const q = (n / 10) | 0;
      b[--p] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
    return end;
  }

  /** 0 ≤ n < 1e9 as exactly nine digits at `p`; returns the position after them. */
  private padded9(n: number, p: number): number {
    const b = this.buf;
    const end = p + 9;
    p = end;
    for (let i = 0; i < 9; i++) {
      const q = (n / 10) | 0;
      b[--p] = 48 + n - q * 10;
      n = q;
    }
    return end;
  }

  /**
   * Writes everything queued so far as one chunk. Never throws. Near the stack limit (a hook of a
   * resource that the script made in a deep frame) nothing is written: the records stay queued for
   * the next flush, rather than a write failing half done. `force`: the last flush of the thread,
   * which has no next one (its chunk is lost only if the write does overflow).
   */
  flush(force = false): void {
    if (this.failed || (this.pos === this.start && !this.preamble) || (!force && !hasStackRoom())) return;
    let chunk = this.buf.subarray(0, this.pos);
    if (this.preamble) {
      const p = this.preamble;
      this.preamble = undefined;
      let text = '';
      try {
        text = p();
      } catch {
        // A broken preamble must not lose the records behind it.
      }
      chunk = Buffer.concat([this.buf.subarray(0, this.start), Buffer.from(text, 'utf8'), this.buf.subarray(this.start, this.pos)]);
    }
    this.pos = this.start;
    this.chunks++;
    if (this.shared !== undefined) {
      // Another thread took the buffer over (the process is ending): what it did not write is lost.
      if (Atomics.compareExchange(this.state, 2, Writing.Free, Writing.Owner) !== Writing.Free) return;
      // Marked written before it is: a thread terminated in between loses the chunk rather than the
      // thread that writes its leftovers writing it twice.
      Atomics.store(this.state, 0, this.pos);
      try {
        this.append(chunk);
      } finally {
        Atomics.store(this.state, 2, Writing.Free);
        Atomics.notify(this.state, 2);
      }
      return;
    }
    this.state[0] = this.pos;
    this.append(chunk);
  }

  /** Appends one chunk to the file. Never throws. */
  private append(chunk: Buffer): void {
    if (this.failed) return;
    try {
      if (this.fd < 0) this.fd = fs.openSync(this.path, 'a');
      let off = 0;
      // One write(2) in practice; the loop only guards against a short write.
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (e) {
      // Out of stack after all: this chunk is lost, later ones are written.
      if (e instanceof RangeError) this.dropped++;
      // The trace file is gone or the disk is full: stop writing, never disturb the script.
      else this.failed = true;
    }
  }

  /** Flushes and closes the descriptor. */
  close(): void {
    this.flush(true);
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

/** Frames of {@link probeStack} that must fit before the trace is written. */
const FLUSH_FRAMES = 120;

function probeStack(n: number): number {
  return n <= 0 ? 0 : probeStack(n - 1) + 1;
}

/**
 * Whether there is stack enough for writing the trace (fs.writeSync and Node's frames below it):
 * {@link FLUSH_FRAMES} small frames, a few kB. Taken at each flush only, never per record.
 */
export function hasStackRoom(): boolean {
  try {
    return probeStack(FLUSH_FRAMES) === FLUSH_FRAMES;
  } catch {
    return false;
  }
}

/** Char codes of the record tags written through the numeric fast paths. */
export const enum TagCode {
  Init = 0x49, // I
  Before = 0x42, // B
  After = 0x41, // A
  Destroy = 0x44, // D
  TaskStart = 0x4e, // N
  TaskAwait = 0x57, // W
  TaskResume = 0x55, // U
  TaskEnd = 0x45, // E
  LoopBusy = 0x4c, // L
  LoopBlocked = 0x5a, // Z
}

/** Serializes a string for a record (JSON string literal). */
export function str(s: string): string {
  return JSON.stringify(s);
}
