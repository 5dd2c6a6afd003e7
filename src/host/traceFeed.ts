/**
 * Feeds one trace file to a diagram: keeps the host's own model of it up to date (for CodeLens and
 * for validating the webview's requests) and streams its text to the webview, from the start
 * again whenever the webview (re)loads. Pure Node: no `vscode` import.
 */
import { TraceFormatError, TraceReader, type TraceModel } from '../trace/model';
import type { RunEndedMessage, ToWebviewMessage } from '../trace/protocol';
import { filesReferenced } from './traceFiles';
import { TraceTail, type TraceTailOptions } from './traceTail';

/** How the feed reports a trace that cannot be read. */
export type FeedErrorHandler = (message: string) => void;

/** Streams a trace file into a {@link TraceReader} and to an attached webview. */
export class TraceFeed {
  private reader = new TraceReader();
  /** Characters of the file already given to the reader (a restarted tail repeats earlier text). */
  private fedChars = 0;
  private tail: TraceTail | undefined;
  private tailChars = 0;
  private post: ((m: ToWebviewMessage) => void) | undefined;
  private endedMessage: RunEndedMessage | undefined;
  private endMessageFn: ((model: TraceModel) => RunEndedMessage) | undefined;
  private finished = false;
  private files: Set<string> | undefined;
  private formatError: string | undefined;
  private readonly listeners = new Set<() => void>();

  /** `live` = the file is still being written by a run. */
  constructor(
    readonly traceFile: string,
    readonly title: string,
    private live: boolean,
    private readonly onError: FeedErrorHandler = () => {},
    private readonly tailOptions: TraceTailOptions = {},
  ) {}

  /** The host's model of the trace as read so far. */
  get model(): TraceModel {
    return this.reader.model;
  }

  /** True while the run that writes the file goes on. */
  get isLive(): boolean {
    return this.live;
  }

  /** The run's end message once known. */
  get ended(): RunEndedMessage | undefined {
    return this.endedMessage;
  }

  /** Why the file is not a readable trace, if it is not. */
  get error(): string | undefined {
    return this.formatError;
  }

  /** Files the trace refers to (cached until the model changes). */
  referencedFiles(): Set<string> {
    this.files ??= filesReferenced(this.model);
    return this.files;
  }

  /** Calls `fn` (debounce it yourself) whenever the model changed. Returns an unsubscribe function. */
  onDidChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Starts reading without a webview (the model fills; nothing is posted). */
  start(): void {
    if (!this.tail) this.restartTail();
  }

  /**
   * Attaches (or re-attaches, after the page reloaded) a webview: posts `reset`, then the whole
   * text so far, then live chunks, and `runEnded` once the run is over.
   */
  attach(post: (m: ToWebviewMessage) => void): void {
    this.post = post;
    post({ type: 'reset', title: this.title, live: this.live });
    this.restartTail();
    if (!this.live) void this.finishTail();
  }

  /** Stops posting to the webview (it was disposed). */
  detach(): void {
    this.post = undefined;
  }

  /**
   * The run is over: reads the rest of the file, then posts `runEnded`. Given a function, the
   * message is built from the complete model (the trace's own end record knows the script's exit).
   */
  async end(message: RunEndedMessage | ((model: TraceModel) => RunEndedMessage)): Promise<void> {
    this.live = false;
    this.endMessageFn = typeof message === 'function' ? message : () => message;
    await this.finishTail();
  }

  /** Stops reading for good. */
  dispose(): void {
    this.tail?.stop();
    this.tail = undefined;
    this.post = undefined;
    this.listeners.clear();
  }

  private restartTail(): void {
    this.tail?.stop();
    this.tailChars = 0;
    this.finished = false;
    const tail = new TraceTail(this.traceFile, (text) => this.onText(tail, text), (e) => this.onError(e.message), this.tailOptions);
    this.tail = tail;
    tail.start();
  }

  private async finishTail(): Promise<void> {
    const tail = this.tail;
    if (!tail) return;
    await tail.finish();
    if (tail !== this.tail || this.finished) return;
    this.finished = true;
    try {
      this.reader.finish();
    } catch (e) {
      this.fail(e);
    }
    if (this.endMessageFn) this.endedMessage = this.endMessageFn(this.model);
    // A saved trace: its end record tells how the run ended.
    const end = this.model.end;
    if (!this.endedMessage && end) {
      this.endedMessage = { type: 'runEnded', exitCode: end.exitCode, signal: end.signal, stopped: end.stopped === true, summary: '' };
    }
    this.changed();
    if (this.post && this.endedMessage) this.post(this.endedMessage);
  }

  private onText(tail: TraceTail, text: string): void {
    if (tail !== this.tail) return;
    const start = this.tailChars;
    this.tailChars += text.length;
    if (this.tailChars > this.fedChars && this.formatError === undefined) {
      try {
        this.reader.push(text.slice(Math.max(0, this.fedChars - start)));
      } catch (e) {
        this.fail(e);
      }
      this.fedChars = this.tailChars;
      this.changed();
    }
    if (this.post && this.formatError === undefined) this.post({ type: 'traceChunk', text });
  }

  private fail(e: unknown): void {
    const msg = e instanceof TraceFormatError ? e.message : `cannot read the trace: ${(e as Error).message}`;
    if (this.formatError === undefined) {
      this.formatError = msg;
      this.onError(msg);
    }
  }

  private changed(): void {
    this.files = undefined;
    for (const l of this.listeners) l();
  }
}
