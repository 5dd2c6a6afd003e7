/**
 * Follows the trace file while the script appends to it: reads only the bytes added since the last
 * call into one {@link TraceScanner}, so the CLI scans the trace once, however often it looks.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TraceScanner } from './traceScan';

/** Largest piece read at once (bytes): bounds the CLI's extra memory on a huge trace. */
const CHUNK = 8 * 1024 * 1024;

/** Incremental reader of a growing trace file. */
export class TraceFollower {
  readonly scanner = new TraceScanner();
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private lastChar = '';

  constructor(readonly path: string) {}

  /** Reads whatever was appended since the last call. Throws TraceFormatError for a file that is not a trace. */
  readMore(): void {
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(0, size - this.offset)));
      while (this.offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.decoder.write(buf.subarray(0, n));
        if (text.length > 0) {
          this.lastChar = text[text.length - 1];
          this.scanner.push(text);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** True when the text read so far ends with a complete line (false: a writer was cut mid-line). */
  get endsWithNewline(): boolean {
    return this.lastChar === '\n' || this.lastChar === '';
  }
}
