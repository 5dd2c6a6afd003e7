/**
 * Opens a Chrome trace the way the Performance panel of Chrome DevTools does: with its own trace
 * engine, as published from the DevTools sources (`@paulirish/trace_engine`, pinned: its API is not
 * a public one). Says which threads the panel shows and which events it draws on them.
 */
import type { ChromeTraceEvent } from '../../src/trace/chromeExport';

export interface DevToolsThread {
  pid: number;
  tid: number;
  name: string;
  /** The events of the thread's flame chart (its tree), in the input's own objects. */
  drawn: ChromeTraceEvent[];
}

export interface DevToolsView {
  threads: DevToolsThread[];
  /** The time range the panel shows, µs. */
  bounds: { min: number; max: number };
}

interface TreeNode {
  entry: ChromeTraceEvent;
  children: TreeNode[];
}

export async function openInDevTools(events: ChromeTraceEvent[]): Promise<DevToolsView> {
  // The engine expects a browser: this module of the package adds what it needs (DOMRect) to Node's globals.
  // (It has no type declarations, hence the import through a variable.)
  const polyfills: string = '@paulirish/trace_engine/analyze-trace.mjs';
  await import(polyfills);
  const Trace = await import('@paulirish/trace_engine');
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  // The engine takes the events as they are and keeps references to them.
  await model.parse(events as never, { metadata: {}, isFreshRecording: false });
  const parsed = model.parsedTrace();
  if (!parsed) throw new Error('DevTools parsed no trace');
  const threads = Trace.Handlers.Threads.threadsInTrace(parsed.data).map((t) => {
    const drawn: ChromeTraceEvent[] = [];
    const walk = (n: TreeNode): void => {
      drawn.push(n.entry);
      n.children.forEach(walk);
    };
    (t.tree?.roots as Set<TreeNode> | undefined)?.forEach(walk);
    return { pid: Number(t.pid), tid: Number(t.tid), name: String(t.name), drawn };
  });
  const b = parsed.data.Meta.traceBounds;
  return { threads, bounds: { min: Number(b.min), max: Number(b.max) } };
}
