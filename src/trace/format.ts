/**
 * The Concurrency Diagram trace file format, version 1 — the one contract between the runner
 * (which writes it), the CLI (which writes its header, post-processed records and end), and every
 * reader (CLI exporters, the extension host, the webview).
 *
 * Layout: UTF-8 text, one JSON array per line ("records"), appended while the script runs.
 * The first element of every record is a one-character tag (see {@link Tag}).
 *
 * - The file starts with a {@link HeaderRecord}.
 * - Writers append whole lines in chunks with a single `write(2)` on an `O_APPEND` descriptor, so
 *   chunks from different threads and processes never tear. Each chunk written by a JS thread
 *   starts with a {@link ContextRecord} naming the writing (process, thread); every following
 *   record up to the next context record belongs to that thread. Ids (async ids, file ids, stack
 *   ids, task ids) are local to that thread.
 * - Records written by the CLI (header, pool threads, pool jobs, run end) are written under the
 *   context `["@", scriptPid, -1]` (the pid of the script's process, thread -1 = the CLI).
 * - A later record with the same id replaces an earlier one for {@link PoolJobRecord} (the CLI
 *   re-writes jobs when exact thread placement becomes known at the end of a run).
 * - Readers must ignore unknown tags (forward compatibility) and a last line without `\n` (a write
 *   in progress).
 *
 * Units: all timestamps are integer microseconds since the run origin (`originNs` in the header,
 * a `process.hrtime.bigint()` value; the clock is CLOCK_MONOTONIC, shared by all threads and
 * processes of one machine). Lines and columns are 1-based positions in the ORIGINAL source file
 * (TypeScript positions already mapped through source maps by the writer).
 */

/** Current format version, written in the header. Readers reject a higher major version. */
export const TRACE_FORMAT_VERSION = 1;

/** Magic string of the header record. */
export const TRACE_MAGIC = 'concurrency-diagram-trace';

/** Record tags: the first element of each record. */
export const enum Tag {
  Header = 'H',
  Context = '@',
  Run = 'R',
  Thread = 'T',
  ThreadEnd = 'X',
  File = 'F',
  Stack = 'K',
  Type = 'Y',
  Init = 'I',
  Before = 'B',
  After = 'A',
  Destroy = 'D',
  TaskStart = 'N',
  TaskAwait = 'W',
  TaskResume = 'U',
  TaskEnd = 'E',
  LoopBusy = 'L',
  LoopBlocked = 'Z',
  RunnerBusy = 'S',
  PoolThread = 'P',
  PoolJob = 'J',
  Error = '!',
  RunEnd = 'Q',
  FollowStop = 'O',
  StackCuts = 'G',
}

/** `["H", {format, version, originNs, ...}]` — first line of the file. */
export type HeaderRecord = [tag: 'H', header: TraceHeader];

/** Contents of the header. */
export interface TraceHeader {
  /** Always {@link TRACE_MAGIC}. */
  format: string;
  /** {@link TRACE_FORMAT_VERSION} of the writer. */
  version: number;
  /** `process.hrtime.bigint()` at the run origin, as a decimal string (ns). All `ts` are µs since then. */
  originNs: string;
  /** Wall-clock time of the origin, ms since the Unix epoch. */
  originWallMs: number;
  /** Name and version of the tool that wrote the file, e.g. `concurrency-diagram 0.1.0`. */
  writer: string;
}

/** `["@", pid, threadId]` — the following records (until the next context) come from this thread. threadId -1 = the CLI. */
export type ContextRecord = [tag: '@', pid: number, threadId: number];

/**
 * `["R", info]` — facts about the run, written by the runner's main thread at its start, and again
 * (a later one of the same process replaces the earlier) when the script changed
 * `UV_THREADPOOL_SIZE` before its first use of the pool. Each Node process the script starts
 * writes its own (its pid, the script it runs); the first process to write one is the script's.
 */
export type RunRecord = [tag: 'R', info: RunInfo];

/** Facts about the run. */
export interface RunInfo {
  /** `process.version` of the Node that ran the script. */
  node: string;
  /** `process.platform`. */
  platform: string;
  /** `process.arch`. */
  arch: string;
  /** Process id of the script. */
  pid: number;
  /** Absolute path of the script this process runs (`[eval]` for `node -e`, `[stdin]` for a script read from stdin). */
  script: string;
  /** Arguments passed to the script (after the script path). */
  args: string[];
  /** Working directory of the script. */
  cwd: string;
  /** Effective libuv threadpool size (UV_THREADPOOL_SIZE or the default 4), as libuv read it at the first pool use. */
  threadpoolSize: number;
  /** Timestamp (µs) when the runner started in the process. */
  ts: number;
  /**
   * The process's OS threads as `[tid, comm]`, listed from `/proc/self/task` when its main thread
   * ended (Linux; only in the last run record of the process). The CLI samples the same folder
   * while the script runs; this list holds the threads that lived too briefly to be sampled.
   */
  osThreads?: [tid: number, comm: string][];
}

/**
 * `["T", threadId, kind, name, osTid, ts, file?, parentThreadId?]` — a JS thread started. A Worker
 * writes it twice: at once (file `"?"`, it may be terminated any moment) and again when its script
 * is known; a later record of the same thread replaces the earlier one.
 */
export type ThreadRecord = [
  tag: 'T',
  threadId: number,
  kind: ThreadKind,
  name: string,
  osTid: number,
  ts: number,
  file?: string,
  parentThreadId?: number,
];

/** Kinds of JS thread. */
export type ThreadKind = 'main' | 'worker';

/** `["X", threadId, ts]` — a JS thread ended (its last flush). */
export type ThreadEndRecord = [tag: 'X', threadId: number, ts: number];

/** `["F", fileId, path]` — interns a source file path (absolute path, or `node:…` URL). */
export type FileRecord = [tag: 'F', fileId: number, path: string];

/**
 * `["K", stackId, frames]` — interns a stack of user frames, innermost first.
 * `frames` is a flat array of quadruples `[fileId, line, column, functionName]`.
 * The first frame is the operation's *source*: the first frame of user code (not `node:`
 * internals, not `node_modules`) that caused it.
 */
export type StackRecord = [tag: 'K', stackId: number, frames: (number | string)[]];

/** `["Y", typeId, name]` — interns an async resource type name (e.g. `GETADDRINFOREQWRAP`). */
export type TypeRecord = [tag: 'Y', typeId: number, name: string];

/** `["I", asyncId, typeId, triggerAsyncId, ts, stackId]` — an async resource was created. stackId 0 = unknown. */
export type InitRecord = [tag: 'I', asyncId: number, typeId: number, triggerId: number, ts: number, stackId: number];

/** `["B", asyncId, ts]` — a callback of the resource started running on this thread. */
export type BeforeRecord = [tag: 'B', asyncId: number, ts: number];

/** `["A", asyncId, ts]` — that callback finished. */
export type AfterRecord = [tag: 'A', asyncId: number, ts: number];

/** `["D", asyncId, ts]` — the resource was destroyed / its promise settled. */
export type DestroyRecord = [tag: 'D', asyncId: number, ts: number];

/**
 * `["N", taskId, parentTaskId, ts, stackId, name]` — an async function call started (a task lane).
 * parentTaskId 0 = top level. The task is running from `ts` until its first await.
 */
export type TaskStartRecord = [tag: 'N', taskId: number, parentTaskId: number, ts: number, stackId: number, name: string];

/**
 * `["W", taskId, ts]` — the task suspended at an `await` (waiting); `["W", taskId, ts, 1]` — an async
 * generator's task suspended at a `yield` until its consumer asks for the next value (older readers
 * take it for a wait).
 */
export type TaskAwaitRecord = [tag: 'W', taskId: number, ts: number, yielded?: 1];

/** `["U", taskId, ts]` — the task resumed after an `await` (running). */
export type TaskResumeRecord = [tag: 'U', taskId: number, ts: number];

/** `["E", taskId, ts, failed]` — the task's promise settled; failed = 1 when it rejected. */
export type TaskEndRecord = [tag: 'E', taskId: number, ts: number, failed: 0 | 1];

/** `["L", start, end]` — the event loop of this thread was busy running JS from start to end (µs). */
export type LoopBusyRecord = [tag: 'L', start: number, end: number];

/** `["Z", start, end, stackId]` — a synchronous stretch blocked this thread's event loop for > 10 ms. */
export type LoopBlockedRecord = [tag: 'Z', start: number, end: number, stackId: number];

/**
 * `["S", start, end, what]` — the runner itself kept this thread busy from start to end (µs): its
 * start-up in the thread (`preload`), starting Node 20's loader hooks thread (`TypeScript loader`),
 * or compiling a TypeScript file (`TypeScript compile`, also later for a dynamic import). The
 * stretch is cut out of the thread's L and Z records: the script's code did not run then.
 * Added in format 1 without a version change: older readers ignore it (and show a gap).
 */
export type RunnerBusyRecord = [tag: 'S', start: number, end: number, what: string];

/** `["P", poolIndex, osTid, name, evidence]` — a libuv threadpool thread exists (from /proc or trace events). */
export type PoolThreadRecord = [tag: 'P', poolIndex: number, osTid: number, name: string, evidence: string];

/**
 * `["J", jobId, type, submit, start, end, poolIndex, inferred, threadId, asyncId]` — one job on the
 * libuv threadpool: submitted at `submit`, ran on pool thread `poolIndex` from `start` to `end`.
 * Queued = `start - submit`. inferred = 1 when Node does not say which pool thread ran it and the
 * CLI placed it with its model of libuv's FIFO queue; 0 when the thread is known exactly.
 * `threadId`/`asyncId` name the async resource (on that JS thread) that submitted the job, or -1.
 * A later record with the same jobId replaces the earlier one.
 */
export type PoolJobRecord = [
  tag: 'J',
  jobId: number,
  type: string,
  submit: number,
  start: number,
  end: number,
  poolIndex: number,
  inferred: 0 | 1,
  threadId: number,
  asyncId: number,
];

/**
 * `["O", ts, captureMs, captures]` — the recorder stopped following this thread's promises at `ts`:
 * its stack captures had taken `captureMs` ms (`captures` of them), more than its overhead limit
 * allows (see {@link CaptureLimit}). From `ts` on, the thread has no task records (`N`/`W`/`U`/`E`),
 * no PROMISE operations and no stack captures; async resources are still recorded, with the source
 * they inherit without a capture, else 0. Tasks and PROMISE operations still open at `ts` are cut
 * there: what they did after it is unknown. Added in format 1 without a version change: older
 * readers ignore it (and draw those tasks open to the end).
 */
export type FollowStopRecord = [tag: 'O', ts: number, captureMs: number, captures: number];

/**
 * `["G", ts, cut, unsourced, lost, dropped]` — counts, since the thread started, of the recorder's
 * hook calls that ran out of stack (`cut`: the script made an async resource or a promise, or
 * settled one, a few frames from the stack limit, where the hook's own work overflowed and was
 * given up), of the async resources among them recorded with the source they inherit instead of
 * their own (`unsourced`) and not recorded at all (`lost`: their callbacks are not recorded either),
 * and of records dropped because the trace buffer was full and could not be written that deep
 * (`dropped`). Written at a flush when they changed; a later one replaces the earlier. Added in
 * format 1 without a version change: older readers ignore it.
 */
export type StackCutsRecord = [tag: 'G', ts: number, cut: number, unsourced: number, lost: number, dropped: number];

/** `["!", kind, ts, message, stackText, stackId]` — an error seen by the runner. */
export type ErrorRecord = [tag: '!', kind: ErrorKind, ts: number, message: string, stackText: string, stackId: number];

/** Kinds of error record. `runner` = the runner itself failed (the script went on). */
export type ErrorKind = 'uncaughtException' | 'unhandledRejection' | 'runner' | 'spawn';

/** `["Q", ts, end]` — the run ended; written by the CLI after the process exited. */
export type RunEndRecord = [tag: 'Q', ts: number, end: RunEnd];

/** How the run ended. */
export interface RunEnd {
  /** Exit code, or null when ended by a signal. */
  exitCode: number | null;
  /** Signal name (e.g. `SIGTERM`) when ended by a signal, else null. */
  signal: string | null;
  /** True when the user (or the tool) asked the run to stop. */
  stopped?: boolean;
}

/** Any record of the format. */
export type TraceRecord =
  | HeaderRecord
  | ContextRecord
  | RunRecord
  | ThreadRecord
  | ThreadEndRecord
  | FileRecord
  | StackRecord
  | TypeRecord
  | InitRecord
  | BeforeRecord
  | AfterRecord
  | DestroyRecord
  | TaskStartRecord
  | TaskAwaitRecord
  | TaskResumeRecord
  | TaskEndRecord
  | LoopBusyRecord
  | LoopBlockedRecord
  | RunnerBusyRecord
  | PoolThreadRecord
  | PoolJobRecord
  | ErrorRecord
  | RunEndRecord
  | FollowStopRecord
  | StackCutsRecord;

/** Thread id used in context records written by the CLI (not a JS thread of the script). */
export const CLI_THREAD_ID = -1;

/** Environment variable through which the CLI passes {@link RunnerConfig} (JSON) to the runner. */
export const RUNNER_CONFIG_ENV = 'CONCURRENCY_DIAGRAM_RUNNER';

/** Configuration the CLI hands to the runner preloaded into the script's process. */
export interface RunnerConfig {
  /** Absolute path of the trace file to append to. */
  trace: string;
  /** `process.hrtime.bigint()` origin as a decimal string (ns). */
  originNs: string;
  /** Absolute path of the user's script (the entry point). */
  script: string;
  /** Directory where Node's own trace-event files go (the CLI merges them at the end), if enabled. */
  nodeTraceDir?: string;
  /** Flush interval in ms (default 100). */
  flushMs?: number;
  /** Threshold in ms above which a synchronous stretch counts as blocking (default 10). */
  blockMs?: number;
  /**
   * File descriptor of a pipe from the CLI that the script's process inherits and the CLI never
   * writes to: its end means the CLI is gone, and the runner then ends the script (no orphans).
   * The runner writes one line to it, the signal's name (`SIGINT\n`), each time the script's process
   * takes SIGINT, SIGTERM or SIGHUP: its event loop turned and the listeners run, so the CLI need
   * not kill a script that got a Ctrl+C straight from the terminal.
   */
  parentFd?: number;
  /** Process id of the CLI: the pipe is watched only in the process whose parent it is. */
  cliPid?: number;
  /**
   * The overhead limit of stack captures on each thread, or null for none (`--no-overhead-limit`).
   * Absent: {@link DEFAULT_CAPTURE_LIMIT}.
   */
  captureLimit?: CaptureLimit | null;
  /** Bound on the recorder's site table and classification caches (tests set it small through {@link MAX_SITES_ENV}). */
  maxSites?: number;
}

/** Environment variable (read by the CLI, for tests) that sets {@link RunnerConfig.maxSites}. */
export const MAX_SITES_ENV = 'CONCURRENCY_DIAGRAM_MAX_SITES';

/**
 * How much time a thread's stack captures may take: `floorMs` plus `share` of the time since the
 * recorder started on the thread. Past it, the recorder stops following promises on that thread
 * (an `O` record): a script whose promises are each made at a new place (a loop at top level, a
 * `for await` over many lines) would otherwise take a capture per promise and run many times slower.
 */
export interface CaptureLimit {
  floorMs: number;
  share: number;
}

/** The limit when none is given: a second of captures, then a quarter of the thread's time. */
export const DEFAULT_CAPTURE_LIMIT: CaptureLimit = { floorMs: 1000, share: 0.25 };

/** Environment variable (read by the CLI, for tests) that sets {@link CaptureLimit.floorMs}. */
export const CAPTURE_FLOOR_ENV = 'CONCURRENCY_DIAGRAM_CAPTURE_FLOOR_MS';
