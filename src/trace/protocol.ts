/**
 * The message protocol between the extension host and the diagram webview (and the standalone
 * HTML report, which plays the host's part inside the page). Both sides import this file; it has
 * no runtime dependencies. Every message is a plain JSON object discriminated by `type`.
 *
 * Handshake: the webview posts {@link ReadyMessage} once its scripts have loaded; the host answers
 * with {@link ResetMessage} followed by the trace text so far in {@link TraceChunkMessage}s, then
 * further chunks as the trace grows, and {@link RunEndedMessage} when the run is over.
 */

/** Message kinds, host → webview. */
export const enum ToWebviewType {
  Reset = 'reset',
  TraceChunk = 'traceChunk',
  RunEnded = 'runEnded',
  SelectOps = 'selectOps',
  RunState = 'runState',
}

/** Message kinds, webview → host. */
export const enum FromWebviewType {
  Ready = 'ready',
  RevealSource = 'revealSource',
  Stop = 'stop',
  Rerun = 'rerun',
  Export = 'export',
  CopyText = 'copyText',
  OpenOverheadSetting = 'openOverheadSetting',
}

/** Start showing a (new) trace: drop what is shown. */
export interface ResetMessage {
  type: 'reset';
  /** Panel title, e.g. the script's file name. */
  title: string;
  /** True while the script is still running (live view). */
  live: boolean;
}

/** The next piece of trace text (format.ts), in order; pieces may split lines anywhere. */
export interface TraceChunkMessage {
  type: 'traceChunk';
  text: string;
}

/** The run is over. */
export interface RunEndedMessage {
  type: 'runEnded';
  /** Exit code, or null when ended by a signal. */
  exitCode: number | null;
  /** Signal name, or null. */
  signal: string | null;
  /** True when stopped by the user. */
  stopped: boolean;
  /** One-line summary as the CLI prints it. */
  summary: string;
}

/** Select (and scroll to) the bars of these operations, e.g. after a CodeLens click. */
export interface SelectOpsMessage {
  type: 'selectOps';
  /** Keys of {@link AsyncOp}s, {@link Task}s or pool job ids (as `job:<id>`) to select. */
  keys: string[];
}

/** Whether a run is in progress (enables Stop / Re-run buttons in the page). */
export interface RunStateMessage {
  type: 'runState';
  running: boolean;
  /** Whether re-running is possible (a script is known). */
  canRerun: boolean;
}

/** Every message the host sends to the webview. */
export type ToWebviewMessage = ResetMessage | TraceChunkMessage | RunEndedMessage | SelectOpsMessage | RunStateMessage;

/** The webview has loaded and wants the data. */
export interface ReadyMessage {
  type: 'ready';
}

/** Open a source location in the editor. */
export interface RevealSourceMessage {
  type: 'revealSource';
  /** Absolute path as it appears in the trace. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Open beside (Ctrl/Cmd+click) instead of in the editor group the user came from. */
  toSide?: boolean;
}

/** Stop the running script. */
export interface StopMessage {
  type: 'stop';
}

/** Run the same script again with the same settings. */
export interface RerunMessage {
  type: 'rerun';
}

/** Export the current trace. */
export interface ExportMessage {
  type: 'export';
  /** Which format; undefined lets the host ask. */
  format?: 'trace' | 'chrome' | 'html';
}

/** Put text on the clipboard (e.g. `file:line`). */
export interface CopyTextMessage {
  type: 'copyText';
  text: string;
}

/**
 * Open the setting `concurrencyDiagram.overheadLimit` (from the notice that the runner stopped
 * following a thread's promises). It names no setting: the page can open this one only.
 */
export interface OpenOverheadSettingMessage {
  type: 'openOverheadSetting';
}

/** Every message the webview sends to the host. */
export type FromWebviewMessage = ReadyMessage | RevealSourceMessage | StopMessage | RerunMessage | ExportMessage | CopyTextMessage | OpenOverheadSettingMessage;

/** For exhaustive switches over message unions. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v < 1e9;

/**
 * Validates a message that claims to come from the webview. Returns it typed, or undefined for
 * anything malformed (the host ignores those).
 */
export function parseFromWebview(v: unknown): FromWebviewMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
    case 'stop':
    case 'rerun':
    case 'openOverheadSetting':
      return { type: v.type };
    case 'revealSource':
      if (typeof v.file !== 'string' || v.file.length === 0 || v.file.length > 4096) return undefined;
      if (!isPosInt(v.line) || !isPosInt(v.column)) return undefined;
      if (v.toSide !== undefined && typeof v.toSide !== 'boolean') return undefined;
      return { type: 'revealSource', file: v.file, line: v.line, column: v.column, toSide: v.toSide === true };
    case 'export':
      if (v.format !== undefined && v.format !== 'trace' && v.format !== 'chrome' && v.format !== 'html') return undefined;
      return { type: 'export', format: v.format };
    case 'copyText':
      if (typeof v.text !== 'string' || v.text.length > 10000) return undefined;
      return { type: 'copyText', text: v.text };
    default:
      return undefined;
  }
}
