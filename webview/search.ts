/**
 * Search over the laid-out lanes: a case-insensitive substring match against the function names
 * and files of each operation's stack, its resource type, and the lane label. Pure code.
 */
import { sourceAt, type Lane, type SpanSource } from './lanes';

/** One search hit: an object drawn in a lane, located by its first span. */
export interface SearchMatch {
  laneId: string;
  /** Index into the lane's `sources`. */
  source: number;
  /** Index of its first span in the lane's table. */
  span: number;
  /** µs start of that span. */
  start: number;
}

/** Result of {@link searchLanes}. */
export interface SearchResult {
  /** Hits in time order (ties by lane order). */
  matches: SearchMatch[];
  /** Per lane id, the matched source indexes (for highlighting). */
  byLane: Map<string, Set<number>>;
}

function texts(s: SpanSource): string[] {
  switch (s.kind) {
    case 'callback':
    case 'opLife':
      return [s.op.type, ...s.op.stack.flatMap((f) => [f.fn, f.file])];
    case 'job':
    case 'queued':
      return [s.job.type, ...(s.op?.stack ?? []).flatMap((f) => [f.fn, f.file])];
    case 'task':
      return ['async task', s.task.name, ...s.task.stack.flatMap((f) => [f.fn, f.file])];
    case 'busy':
      return ['event loop busy'];
    case 'blocked':
      return ['event loop blocked', ...s.stretch.stack.flatMap((f) => [f.fn, f.file])];
  }
}

/** Finds the objects matching `query` (trimmed, case-insensitive); an empty query matches nothing. */
export function searchLanes(lanes: readonly Lane[], query: string, limit = 100_000): SearchResult {
  const q = query.trim().toLowerCase();
  const matches: SearchMatch[] = [];
  const byLane = new Map<string, Set<number>>();
  if (!q) return { matches, byLane };
  const laneOrder = new Map<string, number>();
  lanes.forEach((l, i) => laneOrder.set(l.id, i));
  for (const lane of lanes) {
    const labelHit = lane.label.toLowerCase().includes(q);
    const hit = new Set<number>();
    for (let k = 0; k < lane.refs.length; k++) {
      const s = sourceAt(lane, k);
      if (s.kind === 'busy') continue; // busy stretches are not "things" to find
      if (labelHit && s.kind === 'task') hit.add(k);
      else if (texts(s).some((t) => t.toLowerCase().includes(q))) hit.add(k);
    }
    if (hit.size === 0) continue;
    byLane.set(lane.id, hit);
    const firstSeen = new Set<number>();
    const t = lane.spans;
    for (let i = 0; i < t.n && firstSeen.size < hit.size && matches.length < limit; i++) {
      const src = t.src[i];
      if (hit.has(src) && !firstSeen.has(src)) {
        firstSeen.add(src);
        matches.push({ laneId: lane.id, source: src, span: i, start: t.start[i] });
      }
    }
  }
  matches.sort((a, b) => a.start - b.start || laneOrder.get(a.laneId)! - laneOrder.get(b.laneId)!);
  return { matches, byLane };
}
