/**
 * Reads the trace-event files Node writes for the script's process (`--trace-event-file-pattern`
 * `node-<pid>-<rotation>.log`), tolerating a file cut short: when the preload disables tracing in a
 * signal handler, Node flushes what it has but leaves the JSON unterminated.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeTraceEvent } from '../trace/poolModel';

/** Categories the pool model uses; everything else in the file is dropped while reading. */
const WANTED = /node\.threadpoolwork\.(a?sync)/;

/** Parses the text of one trace-event file; an unterminated file yields the events written so far. */
export function parseNodeTraceText(text: string): unknown[] {
  const parse = (t: string): unknown[] | undefined => {
    try {
      const j = JSON.parse(t) as { traceEvents?: unknown[] };
      return Array.isArray(j?.traceEvents) ? j.traceEvents : [];
    } catch {
      return undefined;
    }
  };
  if (text.trimEnd().endsWith(']}')) {
    const whole = parse(text);
    if (whole) return whole;
  }
  // Cut short after a complete event (`…},` or `…}`): close the array there.
  const trimmed = text.trimEnd().replace(/,$/, '');
  if (trimmed.endsWith('}')) {
    const events = parse(trimmed + ']}');
    if (events) return events;
  }
  // Cut inside an event: close the array after the last complete event. Node separates events with
  // `},{"pid":`, so that marks where a complete event ends; a few earlier ones are tried in case
  // the last event itself was cut inside a string that happens to contain it.
  let end = text.length;
  for (let attempts = 0; attempts < 5; attempts++) {
    const i = text.lastIndexOf('},{"pid"', end - 1);
    if (i < 0) break;
    const events = parse(text.slice(0, i + 1) + ']}');
    if (events) return events;
    end = i;
  }
  return [];
}

/**
 * Reads every trace-event file of process `pid` in `dir`, converting timestamps to µs since the run
 * origin (`originUs` = originNs / 1000: trace events and `process.hrtime` share one clock).
 */
export function readNodeTraceEvents(dir: string, pid: number, originUs: number): { events: NodeTraceEvent[]; files: number } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { events: [], files: 0 };
  }
  const mine = names.filter((n) => n.startsWith(`node-${pid}-`) && n.endsWith('.log')).sort((a, b) => rotation(a) - rotation(b));
  const events: NodeTraceEvent[] = [];
  for (const n of mine) {
    let text: string;
    try {
      text = readFileSync(join(dir, n), 'utf8');
    } catch {
      continue;
    }
    for (const raw of parseNodeTraceText(text)) {
      const e = raw as Record<string, unknown>;
      if (typeof e?.cat !== 'string' || !WANTED.test(e.cat) || typeof e.ts !== 'number') continue;
      events.push({
        ph: String(e.ph),
        cat: e.cat,
        name: String(e.name),
        ts: Math.round(e.ts - originUs),
        tid: Number(e.tid),
        id: e.id === undefined ? undefined : String(e.id),
      });
    }
  }
  return { events, files: mine.length };
}

function rotation(name: string): number {
  const m = /-(\d+)\.log$/.exec(name);
  return m ? Number(m[1]) : 0;
}
