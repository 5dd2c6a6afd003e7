/**
 * The typed, in-memory model of a trace, and the incremental reader that builds it from the text of
 * a trace file (see format.ts). Pure TypeScript: used by the CLI, the extension host and the webview.
 */
import { TRACE_FORMAT_VERSION, TRACE_MAGIC, type ErrorKind, type RunEnd, type RunInfo, type ThreadKind, type TraceHeader } from './format';

/** A position in the user's source (1-based line and column of the ORIGINAL file). */
export interface SourceFrame {
  /** Absolute path (or `node:` URL). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Function name, `''` for anonymous/top level. */
  fn: string;
}

/** A JS thread (main or Worker) of a process of the run. */
export interface Thread {
  /** `pid:threadId`, unique in the trace. */
  key: string;
  pid: number;
  /** Node's threadId (0 = main). */
  threadId: number;
  kind: ThreadKind;
  /** Display name, e.g. `main` or `worker #1 hash.ts`. */
  name: string;
  /** OS thread id (Linux tid), 0 when unknown. */
  osTid: number;
  /** µs when the runner started on this thread. */
  start: number;
  /** µs of its last record when it ended, undefined while alive. */
  end?: number;
  /** Worker script (absolute path), or `[eval]`. */
  file?: string;
  /** Key of the thread that started this Worker. */
  parentKey?: string;
}

/** A libuv threadpool thread. */
export interface PoolThread {
  /** 0-based lane index (`threadpool 1` is index 0). */
  index: number;
  /** OS thread id, 0 when unknown. */
  osTid: number;
  name: string;
  /** Where we know it from, e.g. `/proc/1234/task` or `trace-events`. */
  evidence: string;
}

/** One async resource (async_hooks) and what happened to it. */
export interface AsyncOp {
  /** `pid:threadId:asyncId`. */
  key: string;
  /** Key of the JS thread where it was created and its callbacks ran. */
  thread: string;
  asyncId: number;
  /** async_hooks type, e.g. `GETADDRINFOREQWRAP`, `PROMISE`, `Timeout`. */
  type: string;
  /** Key of the trigger (causal parent) resource, if recorded. */
  triggerKey?: string;
  /** µs when created. */
  created: number;
  /** Callback runs as flat pairs `[start0, end0, start1, end1, …]` (µs); an open last run has end -1. */
  callbacks: number[];
  /** µs when destroyed / settled. */
  destroyed?: number;
  /** First user frames, innermost first; `stack[0]` is the source. Empty when unknown. */
  stack: SourceFrame[];
}

/** Segment states of a task lane. */
export const enum SegmentState {
  Running = 0,
  Waiting = 1,
}

/** One async function call, drawn as a task lane. */
export interface Task {
  /** `pid:threadId:taskId`. */
  key: string;
  thread: string;
  name: string;
  /** Key of the task that called it, undefined at top level. */
  parentKey?: string;
  start: number;
  end?: number;
  failed?: boolean;
  /** Segments as flat triples `[start, end, state]`; an open last segment has end -1. */
  segments: number[];
  /** Call site and callers; `stack[0]` is the call site. */
  stack: SourceFrame[];
}

/** A job on the libuv threadpool. */
export interface PoolJob {
  id: number;
  /** Async resource type or Node trace-event name, e.g. `PBKDF2REQUEST`, `GETADDRINFOREQWRAP`. */
  type: string;
  /** µs submitted to the pool. */
  submit: number;
  /** µs it started running on a pool thread. */
  start: number;
  /** µs it finished. */
  end: number;
  /** Pool lane index. */
  poolIndex: number;
  /** True when the placement on `poolIndex` (and start) comes from the FIFO model, not from Node. */
  inferred: boolean;
  /** Key of the async resource that submitted it, if known. */
  opKey?: string;
}

/** A stretch of a JS thread's event loop (busy, or blocked > threshold). */
export interface LoopStretch {
  thread: string;
  start: number;
  end: number;
  /** For blocked stretches: the user code that blocked, innermost first. */
  stack: SourceFrame[];
}

/** An error recorded during the run. */
export interface RunError {
  kind: ErrorKind;
  thread: string;
  ts: number;
  message: string;
  stackText: string;
  stack: SourceFrame[];
}

/** A problem found while reading (malformed line, unknown reference). Reading goes on. */
export interface ReadProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

/** Thrown for a file that is not a trace at all or of an unsupported version. */
export class TraceFormatError extends Error {}

/** The whole trace as read so far. */
export class TraceModel {
  header?: TraceHeader;
  run?: RunInfo;
  end?: RunEnd;
  /** µs of the run end record. */
  endTs?: number;
  threads = new Map<string, Thread>();
  poolThreads: PoolThread[] = [];
  ops = new Map<string, AsyncOp>();
  tasks = new Map<string, Task>();
  poolJobs = new Map<number, PoolJob>();
  busy: LoopStretch[] = [];
  blocked: LoopStretch[] = [];
  errors: RunError[] = [];
  problems: ReadProblem[] = [];
  /** Largest timestamp seen (µs). */
  lastTs = 0;
  /** Number of records read. */
  records = 0;
}

/** Per-(process, thread) intern tables. */
interface ThreadTables {
  key: string;
  files: Map<number, string>;
  stacks: Map<number, SourceFrame[]>;
  types: Map<number, string>;
}

const NO_FRAMES: SourceFrame[] = [];

/**
 * Builds a {@link TraceModel} from trace text given in pieces of any size (a file growing on disk,
 * or increments posted to the webview). Call {@link push} with each new piece, in order.
 */
export class TraceReader {
  readonly model = new TraceModel();
  private partial = '';
  private lineNo = 0;
  private ctx: ThreadTables | undefined;
  private readonly tables = new Map<string, ThreadTables>();

  /** Adds the next piece of text; complete lines are read, a trailing partial line is kept. */
  push(text: string): void {
    let start = 0;
    let buf = this.partial + text;
    this.partial = '';
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      const line = buf.slice(start, nl);
      start = nl + 1;
      this.lineNo++;
      if (line.length > 0) this.readLine(line);
    }
    this.partial = buf.slice(start);
    buf = '';
  }

  /** Reads a last line that has no newline (call when the file is known to be complete). */
  finish(): TraceModel {
    if (this.partial.length > 0) {
      this.lineNo++;
      const line = this.partial;
      this.partial = '';
      try {
        JSON.parse(line);
      } catch {
        this.problem('incomplete last line (the writer was stopped mid-write); ignored');
        return this.model;
      }
      this.readLine(line);
    }
    return this.model;
  }

  private problem(message: string): void {
    if (this.model.problems.length < 1000) this.model.problems.push({ line: this.lineNo, message });
  }

  private tablesFor(pid: number, threadId: number): ThreadTables {
    const key = `${pid}:${threadId}`;
    let t = this.tables.get(key);
    if (!t) {
      t = { key, files: new Map(), stacks: new Map(), types: new Map() };
      this.tables.set(key, t);
    }
    return t;
  }

  private stack(id: unknown): SourceFrame[] {
    if (typeof id !== 'number' || id === 0 || !this.ctx) return NO_FRAMES;
    return this.ctx.stacks.get(id) ?? NO_FRAMES;
  }

  private seen(ts: unknown): void {
    if (typeof ts === 'number' && ts > this.model.lastTs) this.model.lastTs = ts;
  }

  private readLine(line: string): void {
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch {
      if (this.lineNo === 1) throw new TraceFormatError('not a Concurrency Diagram trace: the first line is not JSON');
      this.problem('malformed line (not JSON); ignored');
      return;
    }
    if (!Array.isArray(r) || typeof r[0] !== 'string') {
      if (this.lineNo === 1) throw new TraceFormatError('not a Concurrency Diagram trace: the first line is not a header record');
      this.problem('malformed record (not an array with a tag); ignored');
      return;
    }
    const m = this.model;
    if (this.lineNo === 1 && r[0] !== 'H') {
      throw new TraceFormatError('not a Concurrency Diagram trace: it does not start with a header record');
    }
    m.records++;
    try {
      this.apply(r);
    } catch (e) {
      if (e instanceof TraceFormatError) throw e;
      this.problem(`bad record ${line.slice(0, 80)}: ${(e as Error).message}`);
    }
  }

  private needCtx(): ThreadTables {
    if (!this.ctx) throw new Error('record outside of a context');
    return this.ctx;
  }

  private apply(r: any[]): void {
    const m = this.model;
    switch (r[0]) {
      case 'H': {
        const h = r[1] as TraceHeader;
        if (!h || h.format !== TRACE_MAGIC) throw new TraceFormatError(`not a Concurrency Diagram trace: header format is ${JSON.stringify(h?.format)}`);
        if (typeof h.version !== 'number' || h.version > TRACE_FORMAT_VERSION) {
          throw new TraceFormatError(`trace format version ${h.version} is newer than this reader (${TRACE_FORMAT_VERSION}); update Concurrency Diagram`);
        }
        m.header = h;
        return;
      }
      case '@':
        this.ctx = this.tablesFor(r[1], r[2]);
        return;
      case 'R':
        m.run = r[1];
        this.seen(m.run?.ts);
        return;
      case 'T': {
        const ctx = this.needCtx();
        const [, threadId, kind, name, osTid, ts, file, parentThreadId] = r;
        const pid = Number(ctx.key.split(':')[0]);
        const key = `${pid}:${threadId}`;
        m.threads.set(key, {
          key,
          pid,
          threadId,
          kind,
          name,
          osTid,
          start: ts,
          file,
          parentKey: typeof parentThreadId === 'number' ? `${pid}:${parentThreadId}` : undefined,
        });
        this.seen(ts);
        return;
      }
      case 'X': {
        const ctx = this.needCtx();
        const pid = ctx.key.split(':')[0];
        const t = m.threads.get(`${pid}:${r[1]}`);
        if (t) t.end = r[2];
        this.seen(r[2]);
        return;
      }
      case 'F':
        this.needCtx().files.set(r[1], r[2]);
        return;
      case 'K': {
        const ctx = this.needCtx();
        const flat = r[2] as (number | string)[];
        const frames: SourceFrame[] = [];
        for (let i = 0; i + 3 < flat.length; i += 4) {
          frames.push({
            file: ctx.files.get(flat[i] as number) ?? '?',
            line: flat[i + 1] as number,
            column: flat[i + 2] as number,
            fn: String(flat[i + 3] ?? ''),
          });
        }
        ctx.stacks.set(r[1], frames);
        return;
      }
      case 'Y':
        this.needCtx().types.set(r[1], r[2]);
        return;
      case 'I': {
        const ctx = this.needCtx();
        const [, asyncId, typeId, triggerId, ts, stackId] = r;
        const key = `${ctx.key}:${asyncId}`;
        m.ops.set(key, {
          key,
          thread: ctx.key,
          asyncId,
          type: ctx.types.get(typeId) ?? `type#${typeId}`,
          triggerKey: triggerId > 0 ? `${ctx.key}:${triggerId}` : undefined,
          created: ts,
          callbacks: [],
          stack: this.stack(stackId),
        });
        this.seen(ts);
        return;
      }
      case 'B': {
        const op = m.ops.get(`${this.needCtx().key}:${r[1]}`);
        if (op) op.callbacks.push(r[2], -1);
        this.seen(r[2]);
        return;
      }
      case 'A': {
        const op = m.ops.get(`${this.needCtx().key}:${r[1]}`);
        if (op) {
          const cb = op.callbacks;
          if (cb.length >= 2 && cb[cb.length - 1] === -1) cb[cb.length - 1] = r[2];
        }
        this.seen(r[2]);
        return;
      }
      case 'D': {
        const op = m.ops.get(`${this.needCtx().key}:${r[1]}`);
        if (op) op.destroyed = r[2];
        this.seen(r[2]);
        return;
      }
      case 'N': {
        const ctx = this.needCtx();
        const [, taskId, parentTaskId, ts, stackId, name] = r;
        const key = `${ctx.key}:${taskId}`;
        m.tasks.set(key, {
          key,
          thread: ctx.key,
          name: String(name),
          parentKey: parentTaskId > 0 ? `${ctx.key}:${parentTaskId}` : undefined,
          start: ts,
          segments: [ts, -1, SegmentState.Running],
          stack: this.stack(stackId),
        });
        this.seen(ts);
        return;
      }
      case 'W':
      case 'U':
      case 'E': {
        const task = m.tasks.get(`${this.needCtx().key}:${r[1]}`);
        const ts = r[2] as number;
        this.seen(ts);
        if (!task) return;
        const s = task.segments;
        if (s.length >= 3 && s[s.length - 2] === -1) s[s.length - 2] = ts;
        if (r[0] === 'E') {
          task.end = ts;
          task.failed = r[3] === 1;
        } else {
          s.push(ts, -1, r[0] === 'W' ? SegmentState.Waiting : SegmentState.Running);
        }
        return;
      }
      case 'L':
        m.busy.push({ thread: this.needCtx().key, start: r[1], end: r[2], stack: NO_FRAMES });
        this.seen(r[2]);
        return;
      case 'Z':
        m.blocked.push({ thread: this.needCtx().key, start: r[1], end: r[2], stack: this.stack(r[3]) });
        this.seen(r[2]);
        return;
      case 'P': {
        const [, index, osTid, name, evidence] = r;
        m.poolThreads[index] = { index, osTid, name, evidence };
        return;
      }
      case 'J': {
        const [, id, type, submit, start, end, poolIndex, inferred, threadId, asyncId] = r;
        const pid = this.ctx ? this.ctx.key.split(':')[0] : String(m.run?.pid ?? 0);
        m.poolJobs.set(id, {
          id,
          type,
          submit,
          start,
          end,
          poolIndex,
          inferred: inferred === 1,
          opKey: threadId >= 0 && asyncId >= 0 ? `${pid}:${threadId}:${asyncId}` : undefined,
        });
        this.seen(end);
        return;
      }
      case '!': {
        const [, kind, ts, message, stackText, stackId] = r;
        m.errors.push({ kind, thread: this.ctx?.key ?? '', ts, message: String(message), stackText: String(stackText ?? ''), stack: this.stack(stackId) });
        this.seen(ts);
        return;
      }
      case 'Q':
        m.endTs = r[1];
        m.end = r[2];
        this.seen(r[1]);
        return;
      default:
        // Unknown tags are ignored: newer writers may add records.
        return;
    }
  }
}

/** Reads a whole trace text at once. Throws {@link TraceFormatError} for a file that is not a trace. */
export function parseTrace(text: string): TraceModel {
  const reader = new TraceReader();
  reader.push(text);
  return reader.finish();
}

/** Formats a frame as `file:line:column`. */
export function formatFrame(f: SourceFrame): string {
  return `${f.file}:${f.line}:${f.column}`;
}
