/**
 * What the CLI reads of a trace while it follows it: the run, the JS threads, the async resources
 * that submit threadpool work, the pool records, the run end, and counts for the summary.
 *
 * The records are read by the one trace reader ({@link TraceReader}, model.ts); this scanner only
 * chooses which lines it is given, by their tag (callbacks and ends also by their resource). Most
 * of a big trace (task segments, callbacks of promises and timers, loop stretches, stacks) means
 * nothing to the CLI, and building the whole model of it would cost the CLI as much again as the
 * script's run (and memory growing for as long as a server runs): those lines are counted where the
 * summary needs them and passed over.
 */
import { TraceModel, TraceReader } from '../trace/model';
import { poolFamilyOfType } from '../trace/poolModel';

/** Counts of records the scan does not keep. */
export interface ScanCounts {
  /** Async resources created (I records). */
  ops: number;
  /** Async function calls (N records). */
  tasks: number;
  /** Errors (! records). */
  errors: number;
}

/**
 * Incremental scanner. Its {@link model} is the reader's {@link TraceModel}: header, run, end,
 * threads, errors, pool threads and pool jobs in full, but in `ops` only the pool-backed resources
 * (with their callbacks and end); tasks, stacks and loop stretches are not read.
 */
export class TraceScanner {
  readonly counts: ScanCounts = { ops: 0, tasks: 0, errors: 0 };
  private readonly reader = new TraceReader();
  private partial = '';
  /** Type ids of pool-backed resource types, per `pid:threadId` context (ids are per thread). */
  private readonly poolTypesByCtx = new Map<string, Set<number>>();
  private poolTypes: Set<number> | undefined;
  /** Ids of the pool-backed resources read and not yet destroyed, per context: their callbacks are read. */
  private readonly poolOpsByCtx = new Map<string, Set<number>>();
  private poolOps: Set<number> | undefined;
  /** False until the first line (the header) went to the reader. */
  private started = false;

  /** The model read so far. */
  get model(): TraceModel {
    return this.reader.model;
  }

  /** Adds the next piece of text; a trailing partial line is kept for the next call. */
  push(text: string): void {
    let start = 0;
    if (this.partial.length > 0) {
      // Complete the carried-over line on its own, without copying the whole piece.
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.partial += text;
        return;
      }
      const line = this.partial + text.slice(0, nl + 1);
      this.partial = '';
      if (this.wanted(line, 0)) this.reader.push(line);
      start = nl + 1;
    }
    // Runs of consecutive wanted lines go to the reader as one slice.
    let run = start;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (nl > start && !this.wanted(text, start)) {
        if (start > run) this.reader.push(text.slice(run, start));
        run = nl + 1;
      }
      start = nl + 1;
    }
    if (start > run) this.reader.push(text.slice(run, start));

    this.partial = text.slice(start);
  }

  /** The model, with what the scan counted itself. */
  result(): TraceModel {
    this.counts.errors = this.reader.model.errors.length;
    return this.reader.model;
  }

  /**
   * Whether the line starting at `from` (every record starts with `["<tag>"`) is given to the
   * reader. The first line always is: the reader checks that it is a trace header.
   */
  private wanted(buf: string, from: number): boolean {
    if (!this.started) {
      this.started = true;
      return true;
    }
    switch (buf[from + 2]) {
      case 'I': {
        this.counts.ops++;
        // `["I",asyncId,typeId,…`: only resources of pool-backed types are read.
        if (this.poolTypes === undefined || this.poolTypes.size === 0) return false;
        const a = buf.indexOf(',', from + 5);
        let typeId = 0;
        for (let i = a + 1; ; i++) {
          const d = buf.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          typeId = typeId * 10 + d;
        }
        if (!this.poolTypes.has(typeId)) return false;
        this.poolOps?.add(intAt(buf, from + 5));
        return true;
      }
      case 'B':
      case 'D': {
        // `["B",asyncId,…`: only the callbacks and ends of the resources kept are read. A resource's
        // id is forgotten at its end, so the set stays as small as the number of pending pool requests.
        if (this.poolOps === undefined || this.poolOps.size === 0) return false;
        const id = intAt(buf, from + 5);
        if (!this.poolOps.has(id)) return false;
        if (buf[from + 2] === 'D') this.poolOps.delete(id);
        return true;
      }
      case 'N':
        this.counts.tasks++;
        return false;
      case '@':
        this.enterContext(buf, from);
        return true;
      case 'Y':
        this.noteType(buf, from);
        return true;
      case 'R':
      case 'T':
      case 'X':
      case 'P':
      case 'J':
      case 'Q':
      case '!':
      case 'O':
      case 'G':
        return true;
      default:
        return false;
    }
  }

  /** `["@",pid,threadId]`: the type table of that thread applies from here. */
  private enterContext(buf: string, from: number): void {
    const end = buf.indexOf(']', from);
    const key = buf.slice(from + 5, end).replace(',', ':');
    let types = this.poolTypesByCtx.get(key);
    if (!types) this.poolTypesByCtx.set(key, (types = new Set()));
    this.poolTypes = types;
    let ops = this.poolOpsByCtx.get(key);
    if (!ops) this.poolOpsByCtx.set(key, (ops = new Set()));
    this.poolOps = ops;
  }

  /** `["Y",typeId,"NAME"]`: remembers the ids of pool-backed types (the reader keeps the names). */
  private noteType(buf: string, from: number): void {
    if (!this.poolTypes) return;
    const a = from + 5;
    const b = buf.indexOf(',', a);
    const q = buf.indexOf('"', b);
    const name = buf.slice(q + 1, buf.indexOf('"', q + 1));
    if (poolFamilyOfType(name)) this.poolTypes.add(Number(buf.slice(a, b)));
  }
}

/** The unsigned integer written at `from` (digits up to the next non-digit). */
function intAt(buf: string, from: number): number {
  let v = 0;
  for (let i = from; ; i++) {
    const d = buf.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return v;
    v = v * 10 + d;
  }
}
