/**
 * Export of a trace to the Chrome Trace Event Format (the JSON object form, `{"traceEvents": […]}`)
 * that Perfetto UI and chrome://tracing open as-is. Pure: TraceModel in, plain object out.
 *
 * Mapping (see docs/trace-format.md, "Chrome / Perfetto export"):
 * - every lane is a (pid, tid) named by a `thread_name` metadata event: JS threads and pool threads
 *   use their OS thread id when known; async task lanes, and lanes whose OS id is unknown, get
 *   synthetic tids above {@link SYNTHETIC_TID_BASE};
 * - each callback run of an async operation is a complete event (`ph: "X"`) on its JS thread, with
 *   `args.type` and `args.source` (`<absolute path>:<line>:<column>`);
 * - each pool job is an `X` on its pool lane (`args.inferred` tells FIFO-model placements), and its
 *   time in the queue (submitted, no thread yet) an async slice (`b`/`e`) named `queued <type>`;
 * - each task segment is an `X` on the task's lane, `args.state` = `running` | `waiting`;
 * - blocked event-loop stretches go to a lane of their own per JS thread, errors are instant events;
 * - the runner's own work on a JS thread (S records) is an `X` named `runner start-up (…)`, cat `runner`;
 * - tasks and PROMISE operations the recorder stopped following (`cut`) end there, with `args.cut`,
 *   and the stop itself is an instant on its thread's lane (`runner stopped following promises`).
 */
import { formatFrame, SegmentState, type SourceFrame, type Thread, type TraceModel } from './model';

/** One event of the Chrome Trace Event Format. */
export interface ChromeTraceEvent {
  /** Phase: `X` complete, `M` metadata, `b`/`e` async slice, `i` instant. */
  ph: 'X' | 'M' | 'b' | 'e' | 'I';
  name: string;
  /** Categories, comma-separated. */
  cat?: string;
  pid: number;
  tid: number;
  /** µs (since the run origin). */
  ts?: number;
  /** µs, for `X`. */
  dur?: number;
  /** Async slice id, for `b`/`e`. */
  id?: string;
  /** Instant scope, for `i`. */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** The exported file. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

/** Synthetic tids (lanes without an OS thread: tasks, unknown pool threads) start here. */
export const SYNTHETIC_TID_BASE = 1_000_000;

function source(stack: SourceFrame[]): string | undefined {
  return stack.length > 0 ? formatFrame(stack[0]) : undefined;
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Lane name of a JS thread: contains `main` or `worker`. */
function threadLaneName(t: Thread): string {
  if (t.kind === 'main') return t.name.includes('main') ? t.name : `main ${t.name}`.trim();
  const label = t.name.includes('worker') ? t.name : `worker #${t.threadId}${t.file ? ' ' + baseName(t.file) : ''}`;
  return label;
}

/** Converts a trace model to a Chrome trace object (serialise it with JSON.stringify). */
export function toChromeTrace(model: TraceModel): ChromeTrace {
  const ev: ChromeTraceEvent[] = [];
  const defaultPid = model.run?.pid ?? ([...model.threads.values()][0]?.pid ?? 1);
  let nextSynthetic = SYNTHETIC_TID_BASE;
  const usedTids = new Set<string>();
  const laneTid = (pid: number, osTid: number): number => {
    let tid = osTid > 0 && !usedTids.has(`${pid}:${osTid}`) ? osTid : nextSynthetic++;
    while (usedTids.has(`${pid}:${tid}`)) tid = nextSynthetic++;
    usedTids.add(`${pid}:${tid}`);
    return tid;
  };
  let sortIndex = 0;
  const lane = (pid: number, tid: number, name: string) => {
    ev.push({ ph: 'M', name: 'thread_name', pid, tid, args: { name } });
    ev.push({ ph: 'M', name: 'thread_sort_index', pid, tid, args: { sort_index: sortIndex++ } });
  };

  // Processes.
  const pids = new Set<number>([defaultPid]);
  for (const t of model.threads.values()) pids.add(t.pid);
  for (const pid of pids) {
    const run = model.runs.get(pid) ?? (pid === defaultPid ? model.run : undefined);
    const script = run?.script ? baseName(run.script) : '';
    // Viewers show the pid beside the name themselves.
    ev.push({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: `node${script ? ' ' + script : ''}` } });
  }

  // JS threads: main first, then Workers in start order.
  const threads = [...model.threads.values()].sort((a, b) => (a.kind === b.kind ? a.start - b.start : a.kind === 'main' ? -1 : 1));
  const tidOfThread = new Map<string, { pid: number; tid: number; name: string }>();
  for (const t of threads) {
    const tid = laneTid(t.pid, t.osTid);
    const name = threadLaneName(t);
    tidOfThread.set(t.key, { pid: t.pid, tid, name });
    lane(t.pid, tid, name);
  }
  const threadLane = (key: string) => {
    let l = tidOfThread.get(key);
    if (!l) {
      // Records of a thread whose T record is missing (cut-short trace): give it a lane anyway.
      const [pidText, threadIdText] = key.split(':');
      const pid = Number(pidText);
      const tid = laneTid(pid, 0);
      const name = threadIdText === '0' ? 'main' : `worker #${threadIdText}`;
      l = { pid, tid, name };
      tidOfThread.set(key, l);
      lane(pid, tid, name);
    }
    return l;
  };

  // Pool threads.
  const poolTids: number[] = [];
  for (const p of model.poolThreads) {
    if (!p) continue;
    const tid = laneTid(defaultPid, p.osTid);
    poolTids[p.index] = tid;
    lane(defaultPid, tid, `threadpool ${p.index + 1}${p.osTid > 0 ? '' : ' (thread id unknown)'}`);
  }

  // Async operations: each callback run on its JS thread.
  for (const op of model.ops.values()) {
    if (op.callbacks.length === 0) continue;
    const l = threadLane(op.thread);
    const args: Record<string, unknown> = { type: op.type, asyncId: op.asyncId };
    const src = source(op.stack);
    if (src) args.source = src;
    if (op.triggerKey) args.trigger = op.triggerKey;
    // Not followed past its cut: a run still open then ends there (the reader already closes it).
    if (op.cut !== undefined) args.cut = true;
    for (let i = 0; i + 1 < op.callbacks.length; i += 2) {
      const start = op.callbacks[i];
      const end = op.callbacks[i + 1] < 0 ? (op.cut ?? model.lastTs) : op.callbacks[i + 1];
      ev.push({ ph: 'X', name: op.type, cat: 'async', pid: l.pid, tid: l.tid, ts: start, dur: Math.max(0, end - start), args });
    }
  }

  // Pool jobs, and their time in the queue.
  for (const j of model.poolJobs.values()) {
    const op = j.opKey ? model.ops.get(j.opKey) : undefined;
    const args: Record<string, unknown> = { type: j.type, inferred: j.inferred, submitted: j.submit, queuedUs: Math.max(0, j.start - j.submit), jobId: j.id };
    const src = op ? source(op.stack) : undefined;
    if (src) args.source = src;
    if (j.opKey) args.asyncOp = j.opKey;
    const tid = poolTids[j.poolIndex] ?? laneTid(defaultPid, 0);
    if (poolTids[j.poolIndex] === undefined) {
      poolTids[j.poolIndex] = tid;
      lane(defaultPid, tid, `threadpool ${j.poolIndex + 1} (thread id unknown)`);
    }
    ev.push({ ph: 'X', name: j.type, cat: j.inferred ? 'threadpool,inferred' : 'threadpool', pid: defaultPid, tid, ts: j.start, dur: Math.max(0, j.end - j.start), args });
    if (j.start > j.submit) {
      const from = op ? threadLane(op.thread) : { pid: defaultPid, tid };
      const id = `job${j.id}`;
      const qargs: Record<string, unknown> = { type: j.type, inferred: j.inferred, jobId: j.id };
      if (src) qargs.source = src;
      ev.push({ ph: 'b', name: `queued ${j.type}`, cat: 'threadpool.queue', id, pid: from.pid, tid: from.tid, ts: j.submit, args: qargs });
      ev.push({ ph: 'e', name: `queued ${j.type}`, cat: 'threadpool.queue', id, pid: from.pid, tid: from.tid, ts: j.start });
    }
  }

  // Async task lanes, each nested after its parent (depth-first) so the order reads as a tree.
  const children = new Map<string | undefined, string[]>();
  for (const t of model.tasks.values()) {
    const parent = t.parentKey && model.tasks.has(t.parentKey) ? t.parentKey : undefined;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(t.key);
  }
  const order: { key: string; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    const list = (children.get(parent) ?? []).sort((a, b) => (model.tasks.get(a)?.start ?? 0) - (model.tasks.get(b)?.start ?? 0));
    for (const k of list) {
      order.push({ key: k, depth });
      if (depth < 64) visit(k, depth + 1);
    }
  };
  visit(undefined, 0);
  for (const { key, depth } of order) {
    const t = model.tasks.get(key);
    if (!t) continue;
    const pid = Number(t.thread.split(':')[0]);
    const tid = laneTid(pid, 0);
    const src = source(t.stack);
    const where = src ? ` · ${baseName(t.stack[0].file)}:${t.stack[0].line}` : '';
    lane(pid, tid, `${'  '.repeat(depth)}task ${t.name || '(anonymous)'}${where}`);
    const s = t.segments;
    for (let i = 0; i + 2 < s.length; i += 3) {
      const start = s[i];
      const end = s[i + 1] < 0 ? (t.end ?? t.cut ?? model.lastTs) : s[i + 1];
      const state = s[i + 2] === SegmentState.Running ? 'running' : s[i + 2] === SegmentState.Yielded ? 'yielded' : 'waiting';
      const args: Record<string, unknown> = { state, task: t.key, thread: tidOfThread.get(t.thread)?.name ?? t.thread };
      if (src) args.source = src;
      if (t.failed) args.failed = true;
      // What the task did after the recorder stopped following its thread is unknown, not "done".
      if (t.cut !== undefined) args.cut = true;
      ev.push({ ph: 'X', name: state === 'running' ? t.name || '(anonymous)' : `${t.name || '(anonymous)'} (${state})`, cat: `task,${state}`, pid, tid, ts: start, dur: Math.max(0, end - start), args });
    }
  }

  // Blocked event loop: one lane per JS thread that had any, so bars never overlap callbacks badly.
  const blockedLane = new Map<string, number>();
  for (const b of model.blocked) {
    const l = threadLane(b.thread);
    let tid = blockedLane.get(b.thread);
    if (tid === undefined) {
      tid = laneTid(l.pid, 0);
      blockedLane.set(b.thread, tid);
      lane(l.pid, tid, `${l.name} · event loop blocked`);
    }
    const args: Record<string, unknown> = { type: 'blocked' };
    const src = source(b.stack);
    if (src) args.source = src;
    ev.push({ ph: 'X', name: 'event loop blocked', cat: 'loop', pid: l.pid, tid, ts: b.start, dur: Math.max(0, b.end - b.start), args });
  }

  // The runner's own work (start-up, TypeScript compile) on the JS thread it kept busy.
  for (const b of model.busy) {
    if (b.runner === undefined) continue;
    const l = threadLane(b.thread);
    ev.push({ ph: 'X', name: `runner start-up (${b.runner})`, cat: 'runner', pid: l.pid, tid: l.tid, ts: b.start, dur: Math.max(0, b.end - b.start), args: { type: 'runner', what: b.runner } });
  }

  // Instants use Chrome's own phase letter "I": DevTools drops the lowercase "i" (Perfetto reads both).
  // An error of no known thread and the run end go on the main thread's lane: a tid without a
  // thread_name would be shown as a thread of its own.
  const mainLane = () => threadLane(`${defaultPid}:0`);
  for (const e of model.errors) {
    const l = e.thread ? threadLane(e.thread) : mainLane();
    const args: Record<string, unknown> = { kind: e.kind, message: e.message, stack: e.stackText };
    const src = source(e.stack);
    if (src) args.source = src;
    ev.push({ ph: 'I', s: 't', name: e.kind, cat: 'error', pid: l.pid, tid: l.tid, ts: e.ts, args });
  }
  // Where the recorder stopped following a thread's promises (past its overhead limit of stack
  // captures): without it the task lanes that end there would read as tasks that finished.
  for (const t of model.threads.values()) {
    const stop = t.followStop;
    if (!stop) continue;
    const l = threadLane(t.key);
    ev.push({ ph: 'I', s: 't', name: 'runner stopped following promises', cat: 'runner', pid: l.pid, tid: l.tid, ts: stop.ts, args: { captureMs: stop.captureMs, captures: stop.captures } });
  }
  if (model.end && model.endTs !== undefined) {
    const l = mainLane();
    ev.push({ ph: 'I', s: 'p', name: 'run end', cat: 'run', pid: l.pid, tid: l.tid, ts: model.endTs, args: { ...model.end } });
  }

  const otherData: Record<string, string> = {};
  if (model.header) otherData.writer = model.header.writer;
  if (model.run) {
    otherData.node = model.run.node;
    otherData.platform = `${model.run.platform} ${model.run.arch}`;
    otherData.script = model.run.script;
    otherData.threadpoolSize = String(model.run.threadpoolSize);
  }
  return { traceEvents: ev, displayTimeUnit: 'ms', otherData };
}
