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
  /** When the recorder stopped following this thread's promises (an `O` record): no tasks after it. */
  followStop?: FollowStop;
  /** The recorder's hook calls on this thread that ran out of stack (the last `G` record), if any. */
  stackCuts?: StackCuts;
}

/**
 * Hook calls of the recorder cut short near the stack limit (see the `G` record): how many, the
 * async resources among them recorded without their own source and not recorded, and records dropped.
 */
export interface StackCuts {
  ts: number;
  cut: number;
  unsourced: number;
  lost: number;
  dropped: number;
}

/** The recorder's stop of following a thread's promises, past its overhead limit of stack captures. */
export interface FollowStop {
  /** µs when it stopped. */
  ts: number;
  /** Time its stack captures had taken on the thread (ms), and how many there were. */
  captureMs: number;
  captures: number;
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
  /** µs after which it was no longer followed (a PROMISE operation open at the thread's {@link FollowStop}). */
  cut?: number;
}

/** Segment states of a task lane. */
export const enum SegmentState {
  Running = 0,
  Waiting = 1,
  /** An async generator suspended at a `yield`, until its consumer asks for the next value (`["W",id,ts,1]`). */
  Yielded = 2,
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
  /** Whether its promise rejected; absent when the recorder could not tell (Node 24) or it has not ended. */
  failed?: boolean;
  /** Segments as flat triples `[start, end, state]`; an open last segment has end -1. */
  segments: number[];
  /** Call site and callers; `stack[0]` is the call site. */
  stack: SourceFrame[];
  /** µs after which it was no longer followed (open at the thread's {@link FollowStop}): its last segment ends there, and `end` stays unknown. */
  cut?: number;
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
  /** For busy stretches of the runner's own work (S records): what it did, e.g. `TypeScript compile`. */
  runner?: string;
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
  /** The run record of the script's own process (the first process to write one). */
  run?: RunInfo;
  /** The run record of each process, by pid: the script's and the Node processes it started. */
  runs = new Map<number, RunInfo>();
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
  /** The process id part of `key`. */
  pid: number;
  /** The thread id part of `key`. */
  threadId: number;
  files: Map<number, string>;
  stacks: Map<number, SourceFrame[]>;
  types: Map<number, string>;
  /** The thread's ops and tasks by their numeric id: lookups for every B/A/D/W/U/E record without building string keys. */
  ops: Map<number, AsyncOp>;
  tasks: Map<number, Task>;
}

/** An id read from the Float64Array as a small integer when it fits (a boxed double would slow every Map lookup). */
const smallId = (v: number): number => (v <= 0x7fffffff && v >= -0x80000000 ? v | 0 : v);

/** Most fields a record read without JSON.parse has after its tag (the `J` record: 9). */
const MAX_FLAT_FIELDS = 10;

/**
 * Bit i set when field i of the last {@link parseFlatRecord} was a string (then `out[i]` is the
 * index of its first character and `strEnd[i]` the index of its closing quote).
 */
let flatStrings = 0;

/**
 * Reads the fields of a line like `["B",12,3456]` or `["J",7,"FSREQCALLBACK",10,12,…]` (between
 * `from` and `to` in `buf`) without slicing the line or calling JSON.parse: on huge traces most lines
 * have this shape and parsing them dominated reading. Fields are integers or plain strings (no
 * escapes, no control characters); a string's position is recorded instead of its text, so the
 * caller can compare it with strings it already has. Returns the tag's char code and the field count
 * (as `tag << 8 | count`), or -1 for anything else (spaces, fractions, escapes, nested values), which
 * the caller then reads with JSON.parse.
 */
function parseFlatRecord(buf: string, from: number, to: number, out: Float64Array, strEnd: Int32Array): number {
  if (to - from < 6 || buf.charCodeAt(from) !== 91 /* [ */ || buf.charCodeAt(from + 1) !== 34 /* " */ || buf.charCodeAt(from + 3) !== 34 || buf.charCodeAt(to - 1) !== 93 /* ] */) return -1;
  const tag = buf.charCodeAt(from + 2);
  let i = from + 4;
  let count = 0;
  let strings = 0;
  while (i < to - 1) {
    if (buf.charCodeAt(i) !== 44 /* , */ || count === MAX_FLAT_FIELDS) return -1;
    i++;
    let c = buf.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = ++i;
      for (c = buf.charCodeAt(i); c !== 34; c = buf.charCodeAt(++i)) {
        // An escape, a control character or the end of the line: JSON.parse decides.
        if (c === 92 /* \ */ || c < 32 || i >= to) return -1;
      }
      out[count] = start;
      strEnd[count] = i;
      strings |= 1 << count;
      count++;
      i++;
      continue;
    }
    let neg = false;
    if (c === 45 /* - */) {
      neg = true;
      c = buf.charCodeAt(++i);
    }
    const start = i;
    let v = 0;
    for (; c >= 48 && c <= 57; c = buf.charCodeAt(++i)) v = v * 10 + (c - 48);
    // No digits, or too many to be exact: let JSON.parse decide.
    if (i === start || i - start > 15) return -1;
    out[count++] = neg ? -v : v;
  }
  if (i !== to - 1) return -1;
  flatStrings = strings;
  return (tag << 8) | count;
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
    if (this.partial.length > 0) {
      // Complete the carried-over line on its own rather than concatenating the whole piece:
      // the scan below is much faster over the flat string it was given.
      const nl = text.indexOf('\n');
      if (nl < 0) {
        this.partial += text;
        return;
      }
      const line = this.partial + text.slice(0, nl);
      this.partial = '';
      this.lineNo++;
      if (!(this.lineNo > 1 && this.readIntLine(line, 0, line.length))) this.readLine(line);
      start = nl + 1;
    }
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.lineNo++;
      if (nl > start && !(this.lineNo > 1 && this.readIntLine(text, start, nl))) this.readLine(text.slice(start, nl));
      start = nl + 1;
    }
    this.partial = text.slice(start);
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
      t = { key, pid, threadId, files: new Map(), stacks: new Map(), types: new Map(), ops: new Map(), tasks: new Map() };
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

  private readonly nums = new Float64Array(MAX_FLAT_FIELDS);
  private readonly strEnd = new Int32Array(MAX_FLAT_FIELDS);
  /** Pool job types seen so far: a job's type is compared with these in place instead of sliced out of the line. */
  private readonly jobTypes: string[] = [];
  /** The tables of the thread of the last pool job's resource (jobs come in runs from one thread). */
  private jobTables: ThreadTables | undefined;

  /**
   * The most frequent lines of a big trace, `["W",id,ts]` and the like (task segments, callbacks,
   * resource ends: two non-negative integers), read with no intermediate array. Returns false for
   * any other shape, which {@link readIntLine} then reads the general way (with the same result).
   */
  private readPair(buf: string, from: number, to: number): boolean {
    const ctx = this.ctx;
    const tag = buf.charCodeAt(from + 2);
    if (!ctx || !(tag === 87 || tag === 85 || tag === 66 || tag === 65 || tag === 68)) return false;
    if (buf.charCodeAt(from) !== 91 || buf.charCodeAt(from + 1) !== 34 || buf.charCodeAt(from + 3) !== 34 || buf.charCodeAt(from + 4) !== 44) return false;
    let i = from + 5;
    const idStart = i;
    let id = 0;
    let c = buf.charCodeAt(i);
    for (; c >= 48 && c <= 57; c = buf.charCodeAt(++i)) id = id * 10 + (c - 48);
    // At most 9 digits: the id stays a small integer (fast Map lookups); longer ones go the general way.
    if (c !== 44 || i === idStart || i - idStart > 9) return false;
    const tsStart = ++i;
    let ts = 0;
    for (c = buf.charCodeAt(i); c >= 48 && c <= 57; c = buf.charCodeAt(++i)) ts = ts * 10 + (c - 48);
    if (i !== to - 1 || c !== 93 || i === tsStart || i - tsStart > 15) return false;
    this.applyPair(ctx, tag, id, ts);
    return true;
  }

  /** Applies a task segment (W, U) or a callback or end (B, A, D) record of `ctx`, by its tag's char code. */
  private applyPair(ctx: ThreadTables, tag: number, id: number, ts: number): void {
    const m = this.model;
    m.records++;
    if (ts > m.lastTs) m.lastTs = ts;
    if (tag === 87 || tag === 85) {
      const task = ctx.tasks.get(id);
      if (!task) return;
      const seg = task.segments;
      if (seg.length >= 3 && seg[seg.length - 2] === -1) seg[seg.length - 2] = ts;
      seg.push(ts, -1, tag === 87 ? SegmentState.Waiting : SegmentState.Running);
      return;
    }
    const op = ctx.ops.get(id);
    if (!op) return;
    const cb = op.callbacks;
    if (tag === 66) cb.push(ts, -1);
    else if (tag === 65) {
      if (cb.length >= 2 && cb[cb.length - 1] === -1) cb[cb.length - 1] = ts;
    } else op.destroyed = ts;
  }

  /**
   * Fast path for the frequent integer-only records (callbacks, task segments, loop stretches,
   * resource creation, contexts). Returns false to let {@link readLine} handle the line.
   */
  private readIntLine(buf: string, from: number, to: number): boolean {
    if (this.readPair(buf, from, to)) return true;
    const code = parseFlatRecord(buf, from, to, this.nums, this.strEnd);
    if (code < 0) return false;
    if (flatStrings !== 0) return code >> 8 === 74 /* J */ && this.readJob(buf, code & 0xff);
    const n = this.nums;
    const count = code & 0xff;
    const ctx = this.ctx;
    const m = this.model;
    switch (code >> 8) {
      case 66 /* B */:
      case 65 /* A */:
      case 68 /* D */:
      case 87 /* W */:
      case 85 /* U */:
        if (count !== 2 || !ctx) return false;
        // Ids as small integers: a double read from the Float64Array would be boxed for the lookup.
        this.applyPair(ctx, code >> 8, smallId(n[0]), n[1]);
        return true;
      case 73 /* I */: {
        if (count !== 5 || !ctx) return false;
        m.records++;
        this.addOp(ctx, smallId(n[0]), smallId(n[1]), smallId(n[2]), n[3], smallId(n[4]));
        return true;
      }
      case 76 /* L */:
      case 69 /* E */:
      case 64 /* @ */: {
        // Rarer shapes go through the general path with a small array (still without JSON.parse).
        const r: (string | number)[] = [String.fromCharCode(code >> 8)];
        for (let i = 0; i < count; i++) r.push(n[i]);
        m.records++;
        try {
          this.apply(r);
        } catch (e) {
          this.problem(`bad record ${buf.slice(from, Math.min(to, from + 80))}: ${(e as Error).message}`);
        }
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Fast path of a `J` record (the most frequent record with a string): the type is matched
   * against the types seen before, and the resource key is the resource's own key when it was
   * read. Returns false to let {@link readLine} handle the line.
   */
  private readJob(buf: string, count: number): boolean {
    const ctx = this.ctx;
    if (count !== 9 || flatStrings !== 2 || !ctx) return false;
    const n = this.nums;
    const from = n[1];
    const to = this.strEnd[1];
    let type: string | undefined;
    for (const t of this.jobTypes) {
      if (t.length === to - from && buf.startsWith(t, from)) {
        type = t;
        break;
      }
    }
    if (type === undefined) {
      type = buf.slice(from, to);
      // Types are few (libuv request kinds); a bound keeps a hostile trace from making this slow.
      if (this.jobTypes.length < 64) this.jobTypes.push(type);
    }
    const m = this.model;
    m.records++;
    const id = smallId(n[0]);
    const end = n[4];
    const threadId = smallId(n[7]);
    const asyncId = smallId(n[8]);
    let opKey: string | undefined;
    if (threadId >= 0 && asyncId >= 0) {
      let t = this.jobTables;
      if (!t || t.pid !== ctx.pid || t.threadId !== threadId) t = this.jobTables = this.tables.get(`${ctx.pid}:${threadId}`);
      opKey = t?.ops.get(asyncId)?.key ?? `${ctx.pid}:${threadId}:${asyncId}`;
    }
    m.poolJobs.set(id, { id, type, submit: n[2], start: n[3], end, poolIndex: smallId(n[5]), inferred: n[6] === 1, opKey });
    if (end > m.lastTs) m.lastTs = end;
    return true;
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

  /**
   * An `O` record: the recorder stopped following the thread's promises. Its tasks and PROMISE
   * operations still open are cut there: their last segment or callback run ends at `ts`, and they
   * are not drawn past it (what they did after is unknown, not "still waiting").
   */
  private stopFollowing(ctx: ThreadTables, ts: number, captureMs: number, captures: number): void {
    const thread = this.model.threads.get(ctx.key);
    if (thread) thread.followStop = { ts, captureMs, captures };
    for (const task of ctx.tasks.values()) {
      if (task.end !== undefined || task.cut !== undefined) continue;
      const s = task.segments;
      if (s.length >= 3 && s[s.length - 2] === -1) s[s.length - 2] = Math.max(ts, s[s.length - 3]);
      task.cut = ts;
    }
    for (const op of ctx.ops.values()) {
      if (op.type !== 'PROMISE' || op.destroyed !== undefined || op.cut !== undefined) continue;
      const cb = op.callbacks;
      if (cb.length >= 2 && cb[cb.length - 1] === -1) cb[cb.length - 1] = Math.max(ts, cb[cb.length - 2]);
      op.cut = ts;
    }
  }

  private needCtx(): ThreadTables {
    if (!this.ctx) throw new Error('record outside of a context');
    return this.ctx;
  }

  /** An `I` record: a new async resource on the context's thread. */
  private addOp(ctx: ThreadTables, asyncId: number, typeId: number, triggerId: number, ts: number, stackId: number): void {
    const key = `${ctx.key}:${asyncId}`;
    const op: AsyncOp = {
      key,
      thread: ctx.key,
      asyncId,
      type: ctx.types.get(typeId) ?? `type#${typeId}`,
      // The trigger's own key when it was read (most are): one string less per resource.
      triggerKey: triggerId > 0 ? (ctx.ops.get(triggerId)?.key ?? `${ctx.key}:${triggerId}`) : undefined,
      created: ts,
      callbacks: [],
      stack: this.stack(stackId),
    };
    this.model.ops.set(key, op);
    ctx.ops.set(asyncId, op);
    this.seen(ts);
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
      case 'R': {
        const info = r[1] as RunInfo | undefined;
        if (!info) return;
        // A later record of the same process replaces its earlier one (the pool size learnt at
        // its first use); the processes the script starts write theirs after the script's own.
        m.runs.set(info.pid, info);
        if (m.run === undefined || m.run.pid === info.pid) m.run = info;
        this.seen(info.ts);
        return;
      }
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
        const [, asyncId, typeId, triggerId, ts, stackId] = r;
        this.addOp(this.needCtx(), asyncId, typeId, triggerId, ts, stackId);
        return;
      }
      case 'B': {
        const op = this.needCtx().ops.get(r[1]);
        if (op) op.callbacks.push(r[2], -1);
        this.seen(r[2]);
        return;
      }
      case 'A': {
        const op = this.needCtx().ops.get(r[1]);
        if (op) {
          const cb = op.callbacks;
          if (cb.length >= 2 && cb[cb.length - 1] === -1) cb[cb.length - 1] = r[2];
        }
        this.seen(r[2]);
        return;
      }
      case 'D': {
        const op = this.needCtx().ops.get(r[1]);
        if (op) op.destroyed = r[2];
        this.seen(r[2]);
        return;
      }
      case 'N': {
        const ctx = this.needCtx();
        const [, taskId, parentTaskId, ts, stackId, name] = r;
        const key = `${ctx.key}:${taskId}`;
        const task: Task = {
          key,
          thread: ctx.key,
          name: String(name),
          parentKey: parentTaskId > 0 ? `${ctx.key}:${parentTaskId}` : undefined,
          start: ts,
          segments: [ts, -1, SegmentState.Running],
          stack: this.stack(stackId),
        };
        m.tasks.set(key, task);
        ctx.tasks.set(taskId, task);
        this.seen(ts);
        return;
      }
      case 'W':
      case 'U':
      case 'E': {
        const task = this.needCtx().tasks.get(r[1]);
        const ts = r[2] as number;
        this.seen(ts);
        if (!task) return;
        const s = task.segments;
        if (s.length >= 3 && s[s.length - 2] === -1) s[s.length - 2] = ts;
        if (r[0] === 'E') {
          task.end = ts;
          // 1 rejected, 0 fulfilled, -1 (or absent) when the recorder could not tell.
          if (r[3] === 1 || r[3] === 0) task.failed = r[3] === 1;
        } else {
          s.push(ts, -1, r[0] === 'W' ? (r[3] === 1 ? SegmentState.Yielded : SegmentState.Waiting) : SegmentState.Running);
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
      case 'S':
        // The thread was busy with the runner's own work: a busy stretch that says so.
        m.busy.push({ thread: this.needCtx().key, start: r[1], end: r[2], stack: NO_FRAMES, runner: String(r[3]) });
        this.seen(r[2]);
        return;
      case 'P': {
        const [, index, osTid, name, evidence] = r;
        m.poolThreads[index] = { index, osTid, name, evidence };
        return;
      }
      case 'J': {
        const [, id, type, submit, start, end, poolIndex, inferred, threadId, asyncId] = r;
        const pid = this.ctx ? this.ctx.pid : (m.run?.pid ?? 0);
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
      case 'O':
        this.stopFollowing(this.needCtx(), r[1], r[2], r[3]);
        this.seen(r[1]);
        return;
      case 'G': {
        const thread = m.threads.get(this.needCtx().key);
        if (thread) thread.stackCuts = { ts: r[1], cut: r[2], unsourced: r[3], lost: r[4], dropped: r[5] };
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
