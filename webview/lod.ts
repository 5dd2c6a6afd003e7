/**
 * Level of detail: turns the spans of one lane that fall in the visible time range into the
 * rectangles to paint, merging neighbours closer than a pixel. The number of rectangles is bounded
 * by the pixel width, whatever the number of spans; the scan itself visits only spans that overlap
 * the range, and skips whole runs of sub-pixel spans through a per-lane summary (see {@link LodPyramid}).
 */
import { SPAN_STATE_COUNT, firstOverlapping, type SpanTable } from './lanes';

/** Output buffer of {@link mergeSpans}: rectangles in pixels relative to the range start. */
export interface RectBuffer {
  /** Number of rectangles written. */
  n: number;
  /** Left edge (px). */
  x0: Float64Array;
  /** Right edge (px), at least x0 + minWidth. */
  x1: Float64Array;
  /** Dominant state of the merged spans (the one covering the most time; ties go to the higher state). */
  state: Uint8Array;
  /** Index of the first span merged into the rectangle (for hit-testing and highlighting). */
  first: Int32Array;
  /** Number of spans merged into it. */
  count: Int32Array;
}

/** Allocates a buffer for up to `capacity` rectangles. */
export function createRectBuffer(capacity: number): RectBuffer {
  return {
    n: 0,
    x0: new Float64Array(capacity),
    x1: new Float64Array(capacity),
    state: new Uint8Array(capacity),
    first: new Int32Array(capacity),
    count: new Int32Array(capacity),
  };
}

function grow(b: RectBuffer): RectBuffer {
  const c = createRectBuffer(b.x0.length * 2);
  c.n = b.n;
  c.x0.set(b.x0);
  c.x1.set(b.x1);
  c.state.set(b.state);
  c.first.set(b.first);
  c.count.set(b.count);
  return c;
}

const weights = new Float64Array(SPAN_STATE_COUNT);

/**
 * Merges the spans of `t` overlapping [t0, t1] (µs) for a width of `width` pixels. Two spans are
 * merged when the gap between them is under one pixel and at least one of them is narrower than
 * `minWidth` pixels or both have the same state, so wide bars keep their own colours and edges.
 * Returns the buffer (possibly a larger one than given).
 */
export function mergeSpans(t: SpanTable, t0: number, t1: number, width: number, out: RectBuffer, minWidth = 1): RectBuffer {
  out.n = 0;
  if (t.n === 0 || t1 <= t0 || width <= 0) return out;
  const k = width / (t1 - t0);
  let i = firstOverlapping(t, t0);
  let open = false;
  let cx0 = 0;
  let cx1 = 0;
  let cFirst = 0;
  let cCount = 0;
  let cState = 0;
  let mixed = false;
  const flush = (): void => {
    if (out.n === out.x0.length) out = grow(out);
    const j = out.n++;
    out.x0[j] = cx0;
    out.x1[j] = Math.max(cx1, cx0 + minWidth);
    let st = cState;
    if (mixed) {
      let best = -1;
      for (let s = 0; s < SPAN_STATE_COUNT; s++) {
        if (weights[s] >= best && weights[s] > 0) {
          best = weights[s];
          st = s;
        }
      }
    }
    out.state[j] = st;
    out.first[j] = cFirst;
    out.count[j] = cCount;
  };
  for (; i < t.n; i++) {
    const s = t.start[i];
    if (s > t1) break;
    const e = t.end[i];
    if (e < t0) continue;
    const x0 = (s < t0 ? 0 : (s - t0) * k);
    const x1 = (e > t1 ? width : (e - t0) * k);
    const st = t.state[i];
    if (open && x0 <= cx1 + 1 && (st === cState && !mixed ? true : x1 - x0 < minWidth || cx1 - cx0 < minWidth)) {
      if (!mixed && st !== cState) {
        mixed = true;
        weights.fill(0);
        weights[cState] = cx1 - cx0 + 1e-9;
      }
      if (mixed) weights[st] += x1 - x0 + 1e-9;
      if (x1 > cx1) cx1 = x1;
      cCount++;
      continue;
    }
    if (open) flush();
    open = true;
    mixed = false;
    cx0 = x0;
    cx1 = x1;
    cFirst = i;
    cCount = 1;
    cState = st;
  }
  if (open) flush();
  return out;
}

/**
 * A coarser copy of a lane's spans, precomputed once, in which every run of spans separated by
 * gaps shorter than `resolution` µs is one span. When a pixel covers more than `resolution` µs,
 * {@link mergeSpans} over the summary gives the same picture as over the full table, with fewer
 * spans to visit: this is what keeps zoomed-out frames fast on millions of spans.
 */
export interface LodLevel {
  /** Gap (µs) under which spans were merged. */
  resolution: number;
  table: SpanTable;
}

/** Summaries of one lane at growing resolutions (each ~8× coarser), plus the full table. */
export class LodPyramid {
  /** Levels, finest (the full table, resolution 0) first. */
  readonly levels: LodLevel[];

  constructor(full: SpanTable, spanBudget = 2048) {
    this.levels = [{ resolution: 0, table: full }];
    const total = full.n ? full.maxEnd[full.n - 1] - full.start[0] : 0;
    let res = total / 65536;
    let cur = full;
    while (cur.n > spanBudget && res > 0 && res < total) {
      const next = summarize(cur, res);
      if (next.n > cur.n * 0.8) {
        res *= 8;
        continue;
      }
      this.levels.push({ resolution: res, table: next });
      cur = next;
      res *= 8;
    }
  }

  /** The coarsest table still exact for pixels of `usPerPixel` µs. */
  tableFor(usPerPixel: number): SpanTable {
    let t = this.levels[0].table;
    for (const l of this.levels) if (l.resolution <= usPerPixel / 2) t = l.table;
    return t;
  }
}

/**
 * Merges spans separated by less than `gap` µs; the merged span takes the dominant state and the
 * `src` of its first span. Hit-testing always uses the full table, never a summary.
 */
function summarize(t: SpanTable, gap: number): SpanTable {
  const n = t.n;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const state = new Uint8Array(n);
  const src = new Int32Array(n);
  const w = new Float64Array(SPAN_STATE_COUNT);
  let m = 0;
  for (let i = 0; i < n; ) {
    const s = t.start[i];
    let e = t.end[i];
    w.fill(0);
    w[t.state[i]] += e - s + 1e-9;
    let j = i + 1;
    while (j < n && t.start[j] <= e + gap) {
      if (t.end[j] > e) e = t.end[j];
      w[t.state[j]] += t.end[j] - t.start[j] + 1e-9;
      j++;
    }
    let st = 0;
    let best = -1;
    for (let k = 0; k < SPAN_STATE_COUNT; k++) if (w[k] >= best && w[k] > 0) ((best = w[k]), (st = k));
    start[m] = s;
    end[m] = e;
    state[m] = st;
    src[m] = t.src[i];
    m++;
    i = j;
  }
  const maxEnd = new Float64Array(m);
  let mx = -Infinity;
  for (let i = 0; i < m; i++) maxEnd[i] = mx = Math.max(mx, end[i]);
  return { n: m, start: start.slice(0, m), end: end.slice(0, m), maxEnd, state: state.slice(0, m), src: src.slice(0, m) };
}
