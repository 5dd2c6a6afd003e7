/**
 * Follows a trace file while the CLI appends to it, handing over only the new text. `fs.watch`
 * gives prompt updates where it works; a timer polls as well because watching is unreliable on
 * network and container file systems (and the file may not exist yet when we start). Pure Node: no
 * `vscode` import.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Options of a {@link TraceTail}. */
export interface TraceTailOptions {
  /** Poll interval in ms (default 200). */
  pollMs?: number;
  /** Largest piece of text handed over at once, in bytes (default 4 MiB). */
  maxChunkBytes?: number;
}

/** Reads a growing file from the start, calling `onText` with each new piece in order. */
export class TraceTail {
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly pollMs: number;
  private readonly maxChunk: number;

  /** `onText` gets every new piece of text; `onError` gets read errors other than "no file yet". */
  constructor(
    readonly file: string,
    private readonly onText: (text: string) => void,
    private readonly onError: (err: Error) => void = () => {},
    options: TraceTailOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 200;
    this.maxChunk = options.maxChunkBytes ?? 4 * 1024 * 1024;
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.offset;
  }

  /** Starts following the file. */
  start(): void {
    this.tryWatch();
    this.timer = setInterval(() => {
      if (!this.watcher) this.tryWatch();
      this.kick();
    }, this.pollMs);
    this.kick();
  }

  /** Reads whatever is new now. Resolves when the file has been read up to its current end. */
  poll(): Promise<void> {
    this.kick();
    return this.reading ?? Promise.resolve();
  }

  /** Reads to the end of the file, hands over any incomplete last character, and stops following. */
  async finish(): Promise<void> {
    await this.poll();
    // A read may have been scheduled while the last one ran.
    while (this.reading) await this.reading;
    this.stop();
    const rest = this.decoder.end();
    if (rest) this.onText(rest);
  }

  /** Stops following; no more callbacks. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private tryWatch(): void {
    if (this.stopped) return;
    try {
      this.watcher = watch(this.file, { persistent: false }, () => this.kick());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // Not there yet (or not watchable): polling covers it.
      this.watcher = undefined;
    }
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async readNew(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(e as Error);
      return;
    }
    try {
      const buf = Buffer.allocUnsafe(Math.min(this.maxChunk, 1024 * 1024));
      for (;;) {
        const { size } = await fh.stat();
        if (size <= this.offset || this.stopped) return;
        const want = Math.min(size - this.offset, this.maxChunk);
        const target = want <= buf.length ? buf : Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(target, 0, want, this.offset);
        if (bytesRead <= 0) return;
        this.offset += bytesRead;
        const text = this.decoder.write(target.subarray(0, bytesRead));
        if (text) this.onText(text);
      }
    } catch (e) {
      this.onError(e as Error);
    } finally {
      await fh.close().catch(() => {});
    }
  }
}
