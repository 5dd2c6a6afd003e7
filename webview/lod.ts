/**
 * Level of detail: turns the spans of one lane that fall in the visible time range into the
 * rectangles to paint, merging neighbours closer than a pixel. The number of rectangles is bounded
 * by the pixel width, whatever the number of spans; the scan itself visits only spans that overlap
 * the range, and skips whole runs of sub-pixel spans through a per-lane summary (see {@link LodPyramid}).
 */
import { SPAN_STATE_COUNT, firstOverlapping, type SpanTable } from './lanes';

/** Marks "no foreground share" in {@link RectBuffer.fg} and {@link SummaryTable.fg}. */
export const NO_FG = 255;

/**
 * States drawn in front (code on a thread) rather than behind (waiting for something). When
 * sub-pixel spans of both kinds merge, the bar shows the background state with the foreground
 * state over it at a height proportional to its share of the time, so "20 % running" stays
 * visible instead of vanishing into the dominant state.
 */
const FOREGROUND = [true, false, false, true, true, false, false];

/** Output buffer of {@link mergeSpans}: rectangles in pixels relative to the range start. */
export interface RectBuffer {
  /** Number of rectangles written. */
  n: number;
  /** Left edge (px). */
  x0: Float64Array;
  /** Right edge (px), at least x0 + minWidth. */
  x1: Float64Array;
  /** State to draw: the dominant background state of a mixed bar, else the dominant state. */
  state: Uint8Array;
  /** Foreground state drawn over a mixed bar, or {@link NO_FG}. */
  fg: Uint8Array;
  /** Share (0..1) of the bar's time in the foreground state. */
  share: Float32Array;
  /** Index of the first span merged into the rectangle (for hit-testing and highlighting). */
  first: Int32Array;
  /** Number of spans merged into it. */
  count: Int32Array;
}

/** A {@link SpanTable} of merged spans that remembers the foreground share of each. */
export interface SummaryTable extends SpanTable {
  /** Foreground state of each merged span, or {@link NO_FG}. */
  fg: Uint8Array;
  /** Share (0..1) of that span's time in `fg`. */
  share: Float32Array;
}

/** Allocates a buffer for up to `capacity` rectangles. */
export function createRectBuffer(capacity: number): RectBuffer {
  return {
    n: 0,
    x0: new Float64Array(capacity),
    x1: new Float64Array(capacity),
    state: new Uint8Array(capacity),
    fg: new Uint8Array(capacity),
    share: new Float32Array(capacity),
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
  c.fg.set(b.fg);
  c.share.set(b.share);
  c.first.set(b.first);
  c.count.set(b.count);
  return c;
}

/** Per-state time weights of a bar being merged. */
class Weights {
  readonly w = new Float64Array(SPAN_STATE_COUNT);

  reset(): void {
    const w = this.w;
    for (let s = 0; s < SPAN_STATE_COUNT; s++) w[s] = 0;
  }

  /** Adds a span of `len` with state `st`, of which `share` is in foreground state `fg`. */
  add(len: number, st: number, fg: number, share: number): void {
    const l = len + 1e-9;
    if (fg === NO_FG) this.w[st] += l;
    else {
      this.w[st] += l * (1 - share);
      this.w[fg] += l * share;
    }
  }

  /** Writes the drawn state, foreground state and share. */
  resolve(out: { state: number; fg: number; share: number }): void {
    let bg = -1;
    let bgW = 0;
    let fg = -1;
    let fgW = 0;
    let total = 0;
    for (let s = 0; s < SPAN_STATE_COUNT; s++) {
      const v = this.w[s];
      total += v;
      if (FOREGROUND[s]) {
        if (v > fgW) ((fg = s), (fgW = v));
      } else if (v > bgW) ((bg = s), (bgW = v));
    }
    if (bg < 0) {
      out.state = fg;
      out.fg = NO_FG;
      out.share = 0;
    } else if (fg < 0) {
      out.state = bg;
      out.fg = NO_FG;
      out.share = 0;
    } else {
      out.state = bg;
      out.fg = fg;
      out.share = fgW / total;
    }
  }
}

const weights = new Weights();
const resolved = { state: 0, fg: NO_FG, share: 0 };

/**
 * Merges the spans of `t` overlapping [t0, t1] (µs) for a width of `width` pixels. Two spans are
 * merged when the gap between them is under one pixel and at least one of them is narrower than
 * `minWidth` pixels or both have the same state, so wide bars keep their own colours and edges.
 * Returns the buffer (possibly a larger one than given).
 */
export function mergeSpans(t: SpanTable | SummaryTable, t0: number, t1: number, width: number, out: RectBuffer, minWidth = 1): RectBuffer {
  out.n = 0;
  if (t.n === 0 || t1 <= t0 || width <= 0) return out;
  const k = width / (t1 - t0);
  const tfg = (t as SummaryTable).fg;
  const tshare = (t as SummaryTable).share;
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
    weights.resolve(resolved);
    out.state[j] = resolved.state;
    out.fg[j] = resolved.fg;
    out.share[j] = resolved.share;
    out.first[j] = cFirst;
    out.count[j] = cCount;
  };
  for (; i < t.n; i++) {
    const s = t.start[i];
    if (s > t1) break;
    const e = t.end[i];
    if (e < t0) continue;
    const x0 = s < t0 ? 0 : (s - t0) * k;
    const x1 = e > t1 ? width : (e - t0) * k;
    const st = t.state[i];
    const fg = tfg ? tfg[i] : NO_FG;
    const share = tshare ? tshare[i] : 0;
    // Same-state neighbours always merge; otherwise only narrow spans into a still-narrow bar,
    // so a wide bar never swallows a tiny neighbour of another state (it stays a 1 px tick).
    if (open && x0 <= cx1 + 1 && ((st === cState && !mixed && fg === NO_FG) || (x1 - x0 < minWidth && cx1 - cx0 < 2 * minWidth))) {
      if (st !== cState || fg !== NO_FG) mixed = true;
      weights.add(x1 - x0, st, fg, share);
      if (x1 > cx1) cx1 = x1;
      cCount++;
      continue;
    }
    if (open) flush();
    open = true;
    mixed = fg !== NO_FG;
    cx0 = x0;
    cx1 = x1;
    cFirst = i;
    cCount = 1;
    cState = st;
    weights.reset();
    weights.add(x1 - x0, st, fg, share);
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
  table: SpanTable | SummaryTable;
}

/** Summaries of one lane at growing resolutions (each ~8× coarser), plus the full table. */
export class LodPyramid {
  /** Levels, finest (the full table, resolution 0) first. */
  readonly levels: LodLevel[];

  constructor(full: SpanTable, spanBudget = 8192) {
    this.levels = [{ resolution: 0, table: full }];
    const total = full.n ? full.maxEnd[full.n - 1] - full.start[0] : 0;
    // A lane this small is cheap to scan whole; and below twice the mean span length a summary
    // would merge almost nothing, so the first level starts there.
    if (full.n <= spanBudget) return;
    let res = Math.max(total / 65536, (2 * total) / full.n);
    let cur: SpanTable | SummaryTable = full;
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
  tableFor(usPerPixel: number): SpanTable | SummaryTable {
    let t = this.levels[0].table;
    for (const l of this.levels) if (l.resolution <= usPerPixel / 2) t = l.table;
    return t;
  }
}

/**
 * Merges spans separated by less than `gap` µs (same-state neighbours, or short spans into a
 * still-short run) into one span with the dominant background state
 * and the share of its dominant foreground state (see {@link mergeSpans}), and the `src` of its
 * first span. Hit-testing always uses the full table, never a summary.
 */
function summarize(t: SpanTable | SummaryTable, gap: number): SummaryTable {
  const n = t.n;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const state = new Uint8Array(n);
  const fgOut = new Uint8Array(n);
  const shareOut = new Float32Array(n);
  const src = new Int32Array(n);
  const tfg = (t as SummaryTable).fg;
  const tshare = (t as SummaryTable).share;
  const w = new Weights();
  const r = { state: 0, fg: NO_FG, share: 0 };
  let m = 0;
  for (let i = 0; i < n; ) {
    const s = t.start[i];
    let e = t.end[i];
    w.reset();
    w.add(e - s, t.state[i], tfg ? tfg[i] : NO_FG, tshare ? tshare[i] : 0);
    let j = i + 1;
    // The same rule as mergeSpans, with `gap` as the pixel: long spans stay whole.
    let runPure = !tfg || tfg[i] === NO_FG;
    while (j < n && t.start[j] <= e + gap) {
      const pureJ = !tfg || tfg[j] === NO_FG;
      if (!((runPure && pureJ && t.state[j] === t.state[i]) || (t.end[j] - t.start[j] < gap && e - s < 2 * gap))) break;
      if (t.state[j] !== t.state[i] || !pureJ) runPure = false;
      if (t.end[j] > e) e = t.end[j];
      w.add(t.end[j] - t.start[j], t.state[j], tfg ? tfg[j] : NO_FG, tshare ? tshare[j] : 0);
      j++;
    }
    w.resolve(r);
    start[m] = s;
    end[m] = e;
    state[m] = r.state;
    fgOut[m] = r.fg;
    shareOut[m] = r.share;
    src[m] = t.src[i];
    m++;
    i = j;
  }
  const maxEnd = new Float64Array(m);
  let mx = -Infinity;
  for (let i = 0; i < m; i++) maxEnd[i] = mx = Math.max(mx, end[i]);
  return { n: m, start: start.slice(0, m), end: end.slice(0, m), maxEnd, state: state.slice(0, m), src: src.slice(0, m), fg: fgOut.slice(0, m), share: shareOut.slice(0, m) };
}
