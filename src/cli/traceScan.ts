/**
 * A fast scan of a trace for what the CLI itself needs: the run, the JS threads, the async resources
 * that submit threadpool work (with their first callback), the pool records, the run end, and counts
 * for the summary. It fully parses only those records and counts the rest by their tag, so the CLI
 * keeps up with a trace growing by hundreds of thousands of records a second, and finishes quickly
 * when a run is stopped. Readers that draw the trace use {@link TraceReader} (model.ts).
 */
import type { RunInfo } from '../trace/format';
import { TraceModel, TraceReader, type AsyncOp } from '../trace/model';
import { poolFamilyOfType } from '../trace/poolModel';

/** Per (process, thread) state of the scan. */
interface ScanContext {
  pid: number;
  threadId: number;
  key: string;
  /** Type ids (Y) of pool-backed async resource types. */
  poolTypes: Map<number, string>;
  /** Pool-backed resources of this thread by async id. */
  poolOps: Map<number, AsyncOp>;
}

/** Counts of records the scan does not keep. */
export interface ScanCounts {
  /** Async resources created (I records). */
  ops: number;
  /** Async function calls (N records). */
  tasks: number;
  /** Errors (! records). */
  errors: number;
}

const enum Ch {
  At = 64, // @
  R = 82,
  T = 84,
  X = 88,
  Y = 89,
  I = 73,
  B = 66,
  D = 68,
  N = 78,
  P = 80,
  J = 74,
  Q = 81,
  Bang = 33, // !
  H = 72,
}

/**
 * Incremental scanner. Its {@link model} is a {@link TraceModel} holding the header, run, end,
 * threads, pool threads and pool jobs in full, but in `ops` only the pool-backed resources; the
 * other records are only counted in {@link counts}.
 */
export class TraceScanner {
  readonly model = new TraceModel();
  readonly counts: ScanCounts = { ops: 0, tasks: 0, errors: 0 };
  private partial = '';
  private lineNo = 0;
  private ctx: ScanContext | undefined;
  private readonly contexts = new Map<string, ScanContext>();
  /** Pool records (P, J, Q) are applied by a real reader so they mean exactly what they mean there. */
  private readonly cliReader = new TraceReader();

  /** Adds the next piece of text; a trailing partial line is kept for the next call. */
  push(text: string): void {
    const buf = this.partial + text;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      this.lineNo++;
      if (nl > start) {
        // Most records are only counted: look at the tag in place and cut out the line only when
        // it has to be parsed.
        const tag = buf.charCodeAt(start + 2);
        if (this.lineNo === 1 || this.wanted(tag, buf, start)) this.scanLine(buf.slice(start, nl), tag);
        else this.model.records++;
      }
      start = nl + 1;
    }
    this.partial = buf.slice(start);
  }

  /** Whether a record with this tag has to be looked at (beyond being counted). */
  private wanted(tag: number, buf: string, start: number): boolean {
    switch (tag) {
      case Ch.I:
        if (this.ctx && this.ctx.poolTypes.size > 0) return true;
        this.counts.ops++;
        return false;
      case Ch.B:
      case Ch.D: {
        if (this.ctx === undefined || this.ctx.poolOps.size === 0) return false;
        // `["B",<asyncId>,…`: read the id in place; only callbacks of pool-backed resources matter.
        let id = 0;
        for (let i = start + 5; ; i++) {
          const d = buf.charCodeAt(i) - 48;
          if (d < 0 || d > 9) break;
          id = id * 10 + d;
        }
        return this.ctx.poolOps.has(id);
      }
      case Ch.N:
        this.counts.tasks++;
        return false;
      case Ch.Bang:
        this.counts.errors++;
        return false;
      case Ch.At:
      case Ch.Y:
      case Ch.R:
      case Ch.T:
      case Ch.X:
      case Ch.P:
      case Ch.J:
      case Ch.Q:
        return true;
      default:
        return false;
    }
  }

  private context(pid: number, threadId: number): ScanContext {
    const key = `${pid}:${threadId}`;
    let c = this.contexts.get(key);
    if (!c) {
      c = { pid, threadId, key, poolTypes: new Map(), poolOps: new Map() };
      this.contexts.set(key, c);
    }
    return c;
  }

  /** Scans one line; `tag` is its third character (every record starts with `["<tag>"`). */
  private scanLine(line: string, tag: number): void {
    const m = this.model;
    if (this.lineNo === 1) {
      // The header is checked by the real reader (it throws TraceFormatError for anything else).
      this.cliReader.push(line + '\n');
      m.header = this.cliReader.model.header;
      return;
    }
    m.records++;
    try {
      switch (tag) {
        case Ch.At: {
          const [, pid, threadId] = JSON.parse(line) as [string, number, number];
          this.ctx = this.context(pid, threadId);
          this.cliReader.push(line + '\n');
          return;
        }
        case Ch.I: {
          this.counts.ops++;
          const c = this.ctx;
          if (!c || c.poolTypes.size === 0) return;
          // `["I",asyncId,typeId,…`: only resources of pool-backed types are parsed in full.
          const a = line.indexOf(',');
          const b = line.indexOf(',', a + 1);
          const type = c.poolTypes.get(Number(line.slice(b + 1, line.indexOf(',', b + 1))));
          if (type === undefined) return;
          const [, asyncId, , triggerId, ts] = JSON.parse(line) as number[];
          c.poolOps.set(asyncId, {
            key: `${c.key}:${asyncId}`,
            thread: c.key,
            asyncId,
            type,
            triggerKey: triggerId > 0 ? `${c.key}:${triggerId}` : undefined,
            created: ts,
            callbacks: [],
            stack: [],
          });
          m.ops.set(`${c.key}:${asyncId}`, c.poolOps.get(asyncId) as AsyncOp);
          return;
        }
        case Ch.B:
        case Ch.D: {
          const c = this.ctx;
          if (!c || c.poolOps.size === 0) return;
          const op = c.poolOps.get(Number(line.slice(5, line.indexOf(',', 5))));
          if (!op) return;
          const ts = (JSON.parse(line) as number[])[2];
          if (tag === Ch.B) {
            // The pool model needs only the first callback (the work's completion).
            if (op.callbacks.length === 0) op.callbacks.push(ts, -1);
          } else {
            op.destroyed = ts;
          }
          return;
        }
        case Ch.Y: {
          const c = this.ctx;
          if (!c) return;
          const [, typeId, name] = JSON.parse(line) as [string, number, string];
          if (poolFamilyOfType(name)) c.poolTypes.set(typeId, name);
          return;
        }
        case Ch.R:
          m.run = (JSON.parse(line) as [string, RunInfo])[1];
          return;
        case Ch.T:
        case Ch.X:
        case Ch.P:
        case Ch.J:
        case Ch.Q:
          // Rare records: the real reader keeps their exact meaning.
          this.cliReader.push(line + '\n');
          return;
        default:
          return;
      }
    } catch {
      // A malformed line is skipped, as the reader does.
    }
  }

  /** The model with the records applied by the real reader (threads, pool threads and jobs, end). */
  result(): TraceModel {
    const r = this.cliReader.model;
    const m = this.model;
    m.threads = r.threads;
    m.poolThreads = r.poolThreads;
    m.poolJobs = r.poolJobs;
    m.end = r.end;
    m.endTs = r.endTs;
    return m;
  }
}
