// Counts the records of a trace file (format v1, src/trace/format.ts: one JSON array per line whose
// first element is a one-character tag) per tag, with their bytes on disk, without parsing JSON, so
// a trace of millions of records is tallied in a fraction of a second.
import { createReadStream } from 'node:fs';

/** Tallies lines of a trace per record tag; feed it chunks of text in order, then call `finish`. */
export class TagTally {
  /** Records per tag, e.g. `{ I: 1200, B: 900 }`. */
  counts = Object.create(null);
  /** Bytes on disk per tag, newline included. */
  bytes = Object.create(null);
  /** All complete records. */
  records = 0;
  /** All bytes of complete records. */
  totalBytes = 0;
  #rest = '';

  /** Adds a chunk of the file's text. */
  push(chunk) {
    const text = this.#rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.#line(text, start, nl);
      start = nl + 1;
    }
    this.#rest = text.slice(start);
  }

  /** Ends the input. A last line without `\n` is a write in progress and is not counted, as the format says. */
  finish() {
    this.#rest = '';
    return this;
  }

  #line(text, start, end) {
    if (end === start) return;
    // A record line starts with `["T"` where T is the tag; anything else is tallied as `?`.
    const tag = text.charCodeAt(start) === 91 && text.charCodeAt(start + 1) === 34 && text.charCodeAt(start + 3) === 34 ? text[start + 2] : '?';
    // Bytes, not UTF-16 units: paths and names may hold non-ASCII characters.
    const n = Buffer.byteLength(text.slice(start, end)) + 1;
    this.counts[tag] = (this.counts[tag] ?? 0) + 1;
    this.bytes[tag] = (this.bytes[tag] ?? 0) + n;
    this.records++;
    this.totalBytes += n;
  }
}

/** Tallies the records of the trace file at `path`. */
export async function tallyTraceFile(path) {
  const tally = new TagTally();
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) tally.push(chunk);
  return tally.finish();
}

/** What each record tag means (src/trace/format.ts), for the profile summary. */
export const TAG_NAMES = {
  H: 'header',
  '@': 'context',
  R: 'run',
  T: 'thread',
  X: 'thread end',
  F: 'file',
  K: 'stack',
  Y: 'type',
  I: 'init',
  B: 'before',
  A: 'after',
  D: 'destroy',
  N: 'task start',
  W: 'task await',
  U: 'task resume',
  E: 'task end',
  L: 'loop busy',
  Z: 'loop blocked',
  S: 'runner busy',
  O: 'follow stop',
  G: 'hook calls out of stack',
  P: 'pool thread',
  J: 'pool job',
  '!': 'error',
  Q: 'run end',
};
