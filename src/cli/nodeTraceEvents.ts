/**
 * Reads the trace-event files Node writes for the script's process (`--trace-event-file-pattern`
 * `node-<pid>-<rotation>.log`), tolerating a file cut short: when the preload disables tracing in a
 * signal handler, Node flushes what it has but leaves the JSON unterminated.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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

/** Node's own file name pattern for trace events when no `--trace-event-file-pattern` is given. */
export const NODE_DEFAULT_TRACE_PATTERN = 'node_trace.${rotation}.log';

/**
 * The trace-event files that `pattern` (as given to `--trace-event-file-pattern`, relative to `cwd`)
 * gives process `pid`, as `[path, rotation]`, oldest first. A pattern with `${…}` in its folder part
 * is not followed (none).
 */
export function nodeTraceFiles(pattern: string, cwd: string, pid: number): [string, number][] {
  const abs = resolve(cwd, pattern);
  const dir = dirname(abs);
  if (dir.includes('${')) return [];
  const parts = basename(abs).split(/(\$\{pid\}|\$\{rotation\})/);
  const re = new RegExp(`^${parts.map((x) => (x === '${pid}' ? String(pid) : x === '${rotation}' ? '(\\d+)' : x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const files: [string, number][] = [];
  for (const n of names) {
    const m = re.exec(n);
    if (m) files.push([join(dir, n), Number(m[1] ?? 1)]);
  }
  return files.sort((a, b) => a[1] - b[1]);
}

/**
 * Reads trace-event files (see {@link nodeTraceFiles}), converting timestamps to µs since the run
 * origin (`originUs` = originNs / 1000: trace events and `process.hrtime` share one clock). `others`
 * counts the events of categories the pool model does not use: the script's own tracing.
 */
export function readNodeTraceEvents(files: readonly [string, number][], originUs: number): { events: NodeTraceEvent[]; others: number } {
  const events: NodeTraceEvent[] = [];
  let others = 0;
  for (const [file] of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of parseNodeTraceText(text)) {
      const e = raw as Record<string, unknown>;
      if (typeof e?.cat !== 'string' || !WANTED.test(e.cat) || typeof e.ts !== 'number') {
        // Node's own metadata events (process and thread names) come with any category.
        if (e?.ph !== 'M') others++;
        continue;
      }
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
  return { events, others };
}
