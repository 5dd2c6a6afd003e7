/**
 * The page's one link to whoever hosts it. Inside VS Code that is the extension host, reached
 * through `acquireVsCodeApi()`; in the standalone HTML report it is a small local stand-in that
 * feeds the embedded trace and handles "reveal source" by showing the location and copying it.
 */
import type { FromWebviewMessage, ToWebviewMessage } from '../src/trace/protocol';

/** What the page needs from its host. */
export interface HostAdapter {
  /** True in the standalone report (no editor to jump to, no run to stop). */
  readonly standalone: boolean;
  /** Sends a message to the host. */
  post(msg: FromWebviewMessage): void;
  /** View state saved by {@link setState}, if any. */
  getState(): unknown;
  /** Saves view state (kept while the panel is hidden, restored with it). */
  setState(state: unknown): void;
  /** Registers the handler of host → page messages; call once. */
  listen(handler: (msg: ToWebviewMessage) => void): void;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The trace embedded in a standalone report (JSON in `<script type="application/json" id="cd-report">`). */
export interface EmbeddedReport {
  title: string;
  trace: string;
}

/** Element id of the embedded report data. */
export const REPORT_DATA_ID = 'cd-report';

const isToWebview = (v: unknown): v is ToWebviewMessage => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/** Adapter for the VS Code webview. */
function vscodeAdapter(api: VsCodeApi): HostAdapter {
  return {
    standalone: false,
    post: (msg) => api.postMessage(msg),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
    listen: (handler) => window.addEventListener('message', (e: MessageEvent) => isToWebview(e.data) && handler(e.data)),
  };
}

/** Adapter for the standalone report: plays the host with the embedded trace. */
function reportAdapter(data: EmbeddedReport, notify: (text: string) => void): HostAdapter {
  let handler: ((msg: ToWebviewMessage) => void) | undefined;
  let state: unknown;
  const copy = (text: string): void => {
    // The async clipboard API needs a secure context; a report opened from file:// may not be one.
    const fallback = (): void => {
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.className = 'cd-offscreen';
      document.body.append(ta);
      ta.select();
      try {
        document.execCommand('copy');
      } catch {
        // Nothing more to try: the location is still shown.
      }
      ta.remove();
    };
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(text).catch(fallback);
    else fallback();
  };
  return {
    standalone: true,
    post(msg) {
      switch (msg.type) {
        case 'ready':
          // Deliver asynchronously, as a real host would.
          setTimeout(() => {
            handler?.({ type: 'reset', title: data.title, live: false });
            handler?.({ type: 'traceChunk', text: data.trace });
            handler?.({ type: 'runEnded', exitCode: null, signal: null, stopped: false, summary: '' });
          }, 0);
          return;
        case 'revealSource': {
          const where = `${msg.file}:${msg.line}`;
          copy(where);
          notify(`${msg.file}:${msg.line}:${msg.column} (copied ${where})`);
          return;
        }
        case 'copyText':
          copy(msg.text);
          return;
        default:
          return;
      }
    },
    getState: () => state,
    setState: (s) => {
      state = s;
    },
    listen: (h) => {
      handler = h;
    },
  };
}

/** Picks the adapter for where the page runs. */
export function createHostAdapter(notify: (text: string) => void): HostAdapter {
  if (typeof acquireVsCodeApi === 'function') return vscodeAdapter(acquireVsCodeApi());
  const el = document.getElementById(REPORT_DATA_ID);
  let data: EmbeddedReport = { title: 'Concurrency Diagram', trace: '' };
  if (el?.textContent) {
    try {
      data = JSON.parse(el.textContent) as EmbeddedReport;
    } catch (e) {
      notify(`The embedded trace could not be read: ${(e as Error).message}`);
    }
  } else {
    notify('No trace is embedded in this page.');
  }
  return reportAdapter(data, notify);
}
