/**
 * The timeline canvas. Chart.js owns the scales, axis ticks, grid, layout and the zoom/pan
 * gestures (chartjs-plugin-zoom: wheel and pinch zoom around the pointer, drag to pan, Shift+drag
 * to zoom into a range); the bars themselves are drawn by a small Chart.js plugin from the lanes'
 * typed arrays, through the level-of-detail merge, so a frame costs pixels rather than spans.
 *
 * Coordinates: x is milliseconds since the run origin; y is the row index (0 at the top, a fixed
 * number of pixels per row, so the lanes scroll vertically instead of squeezing).
 */
import { Chart, LinearScale, ScatterController, PointElement, type ChartConfiguration } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { MarkKind, SPAN_STATE_COUNT, SpanState, markAt, spanAt, type Lane, type LaneMark, type Row } from './lanes';
import { LodPyramid, NO_FG, createRectBuffer, mergeSpans, type RectBuffer } from './lod';
import type { Theme } from './theme';

Chart.register(LinearScale, ScatterController, PointElement, zoomPlugin);

/** States behind (waiting, queued) first, so the foreground share of merged bars stays on top. */
const DRAW_ORDER = [SpanState.Parked, SpanState.Waiting, SpanState.Queued, SpanState.Runner, SpanState.Running, SpanState.Inferred, SpanState.Blocked];

/** Pixels per row. */
export const ROW_PX = 22;

/** A span under the pointer or selected. */
export interface Hit {
  /** Row index in the current rows. */
  row: number;
  lane: Lane;
  /** Span index in the lane's table. */
  index: number;
}

/** What the timeline reports to the page. */
export interface TimelineEvents {
  /** Pointer moved over the chart (hit undefined over empty space or outside; `mark` when near a lane mark). */
  hover(hit: Hit | undefined, clientX: number, clientY: number, mark?: LaneMark): void;
  /** A click on the chart (not the end of a pan or drag-zoom). */
  click(hit: Hit | undefined, e: MouseEvent): void;
  /** The visible range changed; `byUser` when from a gesture or key (stops live follow). */
  viewChanged(byUser: boolean): void;
}

/** The visible window. */
export interface TimelineView {
  /** ms at the left and right edges. */
  x0: number;
  x1: number;
  /** Row index at the top edge (fractional while panning). */
  top: number;
}

const ms = (us: number): number => us / 1000;

/** Formats an axis value in ms with a precision that suits the visible range. */
function tickLabel(valueMs: number, rangeMs: number): string {
  if (rangeMs < 2) return `${Math.round(valueMs * 1000)} µs`;
  if (rangeMs < 20) return `${valueMs.toFixed(1)} ms`;
  if (rangeMs < 20000) return `${Math.round(valueMs)} ms`;
  return `${(valueMs / 1000).toFixed(rangeMs < 200000 ? 1 : 0)} s`;
}

/** The chart and the drawing of lanes. */
export class Timeline {
  readonly chart: Chart;
  private rows: Row[] = [];
  private dataStart = 0;
  private dataEnd = 1;
  private theme: Theme;
  private readonly pyramids = new WeakMap<object, LodPyramid>();
  private rects: RectBuffer = createRectBuffer(4096);
  private readonly batches: Float64Array[] = [];
  private readonly batchN = new Int32Array(SPAN_STATE_COUNT);
  private highlights = new Map<string, Set<number>>();
  private selection: { laneId: string; start: number; end: number } | undefined;
  /** True once the user zoomed or panned: live updates then stop following the newest time. */
  userZoomed = false;
  /** Time (ms) spent in the last bar drawing pass, for the benchmark. */
  lastDrawMs = 0;

  constructor(private readonly canvas: HTMLCanvasElement, theme: Theme, private readonly events: TimelineEvents) {
    this.theme = theme;
    for (let s = 0; s < SPAN_STATE_COUNT; s++) this.batches.push(new Float64Array(4096));
    const onUserView = (): void => {
      this.userZoomed = true;
      this.clampY();
      this.events.viewChanged(true);
    };
    const config: ChartConfiguration<'scatter'> = {
      type: 'scatter',
      data: { datasets: [{ data: [] }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        events: ['click'],
        layout: { padding: { top: 4, right: 12 } },
        onClick: (e) => {
          const ne = e.native as MouseEvent | null;
          if (!ne) return;
          this.events.click(this.hitAt(e.x ?? 0, e.y ?? 0), ne);
        },
        scales: {
          x: {
            type: 'linear',
            position: 'top',
            min: 0,
            max: 1,
            grid: { color: () => this.theme.grid, drawTicks: true },
            border: { display: false },
            ticks: {
              color: () => this.theme.muted,
              maxRotation: 0,
              autoSkipPadding: 24,
              callback: (v) => tickLabel(Number(v), (this.chart?.scales.x.max ?? 1) - (this.chart?.scales.x.min ?? 0)),
            },
          },
          y: {
            type: 'linear',
            reverse: true,
            min: -0.5,
            max: 10,
            display: false,
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: { enabled: false },
          zoom: {
            limits: { x: { min: 0, max: 1, minRange: 0.002 }, y: { min: -0.5, max: 10 } },
            pan: { enabled: true, mode: 'xy', threshold: 4, onPan: onUserView },
            zoom: {
              mode: 'x',
              wheel: { enabled: true, speed: 0.15 },
              pinch: { enabled: true },
              drag: { enabled: true, modifierKey: 'shift', threshold: 4, backgroundColor: 'rgba(127,127,127,0.25)' },
              onZoom: onUserView,
            },
          },
        },
      },
      plugins: [
        {
          id: 'cdLanes',
          beforeDatasetsDraw: (chart) => this.drawLanes(chart),
        },
      ],
    };
    this.chart = new Chart(canvas, config);
    canvas.addEventListener('mousemove', (e) => {
      if (e.buttons !== 0) return this.events.hover(undefined, e.clientX, e.clientY);
      const r = canvas.getBoundingClientRect();
      const x = e.clientX - r.left;
      const y = e.clientY - r.top;
      this.events.hover(this.hitAt(x, y), e.clientX, e.clientY, this.markAtPixel(x, y));
    });
    canvas.addEventListener('mouseleave', (e) => this.events.hover(undefined, e.clientX, e.clientY));
    canvas.addEventListener('dblclick', () => this.resetZoom());
  }

  /** Number of whole rows that fit. */
  get visibleRows(): number {
    const a = this.chart.chartArea;
    return Math.max(1, (a ? a.height : this.canvas.clientHeight) / ROW_PX);
  }

  /** The current window. */
  get view(): TimelineView {
    const s = this.chart.scales;
    return { x0: s.x.min, x1: s.x.max, top: s.y.min + 0.5 };
  }

  /** Data range in ms. */
  get range(): { start: number; end: number } {
    return { start: ms(this.dataStart), end: ms(this.dataEnd) };
  }

  /** The rows currently drawn. */
  get currentRows(): readonly Row[] {
    return this.rows;
  }

  /** Replaces what is drawn. Keeps the window when the user zoomed; else shows everything. */
  setData(rows: Row[], start: number, end: number): void {
    this.rows = rows;
    this.dataStart = start;
    this.dataEnd = Math.max(end, start + 1);
    const lim = this.limits();
    lim.x.min = ms(this.dataStart);
    lim.x.max = ms(this.dataEnd);
    if (!this.userZoomed) this.setX(ms(this.dataStart), ms(this.dataEnd));
    this.clampY();
    this.chart.update('none');
  }

  private limits(): { x: { min: number; max: number }; y: { min: number; max: number } } {
    return (this.chart.options.plugins as { zoom: { limits: { x: { min: number; max: number }; y: { min: number; max: number } } } }).zoom.limits;
  }

  private setX(x0: number, x1: number): void {
    const o = this.chart.options.scales!.x!;
    o.min = x0;
    o.max = x1;
  }

  /** Keeps the vertical window inside the rows and the right height for the canvas. */
  private clampY(): void {
    const vis = this.visibleRows;
    const o = this.chart.options.scales!.y!;
    const maxTop = Math.max(0, this.rows.length - Math.floor(vis));
    let top = (typeof o.min === 'number' ? o.min : -0.5) + 0.5;
    top = Math.min(Math.max(0, top), maxTop);
    o.min = top - 0.5;
    o.max = top - 0.5 + vis;
    const lim = this.limits();
    lim.y.min = -0.5;
    lim.y.max = Math.max(this.rows.length, vis) - 0.5;
  }

  /** Call when the container was resized (the row count that fits changed). */
  resized(): void {
    this.chart.resize();
    this.clampY();
    this.chart.update('none');
  }

  /** Sets the window; `byUser` marks a user action (stops live follow). */
  setView(v: Partial<TimelineView>, byUser: boolean): void {
    const cur = this.view;
    let x0 = v.x0 ?? cur.x0;
    let x1 = v.x1 ?? cur.x1;
    const span = Math.max(0.002, x1 - x0);
    const lo = ms(this.dataStart);
    const hi = ms(this.dataEnd);
    if (span >= hi - lo) {
      x0 = lo;
      x1 = hi;
    } else {
      if (x0 < lo) (x0 = lo), (x1 = lo + span);
      if (x1 > hi) (x1 = hi), (x0 = hi - span);
    }
    this.setX(x0, x1);
    if (v.top !== undefined) this.chart.options.scales!.y!.min = v.top - 0.5;
    this.clampY();
    if (byUser) this.userZoomed = true;
    this.chart.update('none');
    this.events.viewChanged(byUser);
  }

  /** Shows the whole run again and resumes following live data. */
  resetZoom(): void {
    this.userZoomed = false;
    this.setX(ms(this.dataStart), ms(this.dataEnd));
    this.chart.update('none');
    this.events.viewChanged(false);
  }

  /** Zooms the x range by `factor` (> 1 zooms in) around `centre` ms (default: middle). */
  zoomBy(factor: number, centre?: number): void {
    const v = this.view;
    const c = centre ?? (v.x0 + v.x1) / 2;
    const w = (v.x1 - v.x0) / factor;
    const f = (c - v.x0) / (v.x1 - v.x0);
    this.setView({ x0: c - w * f, x1: c + w * (1 - f) }, true);
  }

  /** Pans by a share of the visible width and a number of rows. */
  panBy(xShare: number, rows: number): void {
    const v = this.view;
    const dx = (v.x1 - v.x0) * xShare;
    this.setView({ x0: v.x0 + dx, x1: v.x1 + dx, top: v.top + rows }, true);
  }

  /** Scrolls/pans so that row `row` and the µs range [start, end] are in view. */
  reveal(row: number, start: number, end: number): void {
    const v = this.view;
    const vis = Math.floor(this.visibleRows);
    let top = v.top;
    if (row < top) top = row;
    else if (row >= top + vis - 1) top = row - vis + 2;
    let { x0, x1 } = v;
    const s = ms(start);
    const e = ms(end);
    const w = x1 - x0;
    if (e - s > w) {
      x0 = s - (e - s) * 0.1;
      x1 = e + (e - s) * 0.1;
    } else if (s < x0 || e > x1) {
      x0 = (s + e) / 2 - w / 2;
      x1 = x0 + w;
    }
    const changedX = x0 !== v.x0 || x1 !== v.x1;
    this.setView({ x0, x1, top }, changedX || this.userZoomed);
  }

  /** The span under a point in canvas pixels (3 px tolerance). */
  hitAt(x: number, y: number): Hit | undefined {
    const a = this.chart.chartArea;
    if (!a || x < a.left || x > a.right || y < a.top || y > a.bottom) return undefined;
    const s = this.chart.scales;
    const row = Math.round(s.y.getValueForPixel(y) ?? -1);
    const r = this.rows[row];
    if (!r || r.kind !== 'lane') return undefined;
    const t = (s.x.getValueForPixel(x) ?? 0) * 1000;
    const usPerPx = ((s.x.max - s.x.min) * 1000) / a.width;
    const index = spanAt(r.lane.spans, t, usPerPx * 3);
    return index < 0 ? undefined : { row, lane: r.lane, index };
  }

  /** The lane mark under a point in canvas pixels (4 px tolerance), for its tooltip. */
  markAtPixel(x: number, y: number): LaneMark | undefined {
    const a = this.chart.chartArea;
    if (!a || x < a.left || x > a.right || y < a.top || y > a.bottom) return undefined;
    const s = this.chart.scales;
    const r = this.rows[Math.round(s.y.getValueForPixel(y) ?? -1)];
    if (!r || r.kind !== 'lane' || !r.lane.marks) return undefined;
    const usPerPx = ((s.x.max - s.x.min) * 1000) / a.width;
    return markAt(r.lane.marks, (s.x.getValueForPixel(x) ?? 0) * 1000, usPerPx * 4);
  }

  /** Pixel geometry of rows, for the label column: y of row 0's centre, and pixels per row. */
  rowGeometry(): { top: number; bottom: number; y0: number; rowPx: number } {
    const a = this.chart.chartArea;
    const y = this.chart.scales.y;
    return { top: a.top, bottom: a.bottom, y0: y.getPixelForValue(0), rowPx: y.getPixelForValue(1) - y.getPixelForValue(0) };
  }

  /** Sets the colours and redraws. */
  setTheme(theme: Theme): void {
    this.theme = theme;
    this.chart.update('none');
  }

  /** Outlines the spans of these sources (search matches), per lane id. */
  setHighlights(byLane: Map<string, Set<number>>): void {
    this.highlights = byLane;
    this.chart.draw();
  }

  /** Marks the selected span (or clears it). */
  setSelection(hit: Hit | undefined): void {
    this.selection = hit ? { laneId: hit.lane.id, start: hit.lane.spans.start[hit.index], end: hit.lane.spans.end[hit.index] } : undefined;
    this.chart.draw();
  }

  private pyramid(lane: Lane): LodPyramid {
    let p = this.pyramids.get(lane.spans);
    if (!p) {
      p = new LodPyramid(lane.spans);
      this.pyramids.set(lane.spans, p);
    }
    return p;
  }

  private push(state: number, x: number, y: number, w: number, h: number): void {
    let b = this.batches[state];
    const n = this.batchN[state];
    if (n + 4 > b.length) {
      const nb = new Float64Array(b.length * 2);
      nb.set(b);
      this.batches[state] = b = nb;
    }
    b[n] = x;
    b[n + 1] = y;
    b[n + 2] = w;
    b[n + 3] = h;
    this.batchN[state] = n + 4;
  }

  private drawLanes(chart: Chart): void {
    const t0p = performance.now();
    const a = chart.chartArea;
    const ctx = chart.ctx;
    const xs = chart.scales.x;
    const ys = chart.scales.y;
    const th = this.theme;
    const width = a.right - a.left;
    const t0 = xs.min * 1000;
    const t1 = xs.max * 1000;
    const usPerPx = (t1 - t0) / width;
    const rowPx = Math.abs(ys.getPixelForValue(1) - ys.getPixelForValue(0));
    const first = Math.max(0, Math.floor(ys.min + 0.5));
    const last = Math.min(this.rows.length - 1, Math.ceil(ys.max - 0.5));
    this.batchN.fill(0);
    const highlightRects: number[] = [];
    // x, row centre and kind of each visible lane mark, drawn over the bars.
    const markPoints: number[] = [];
    let selRect: number[] | undefined;
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.left, a.top, width, a.bottom - a.top);
    ctx.clip();
    for (let r = first; r <= last; r++) {
      const row = this.rows[r];
      const yc = ys.getPixelForValue(r);
      if (row.kind === 'group') {
        ctx.fillStyle = th.grid;
        ctx.fillRect(a.left, yc - rowPx / 2, width, rowPx);
        continue;
      }
      const lane = row.lane;
      const table = this.pyramid(lane).tableFor(usPerPx);
      this.rects = mergeSpans(table, t0, t1, width, this.rects, 1);
      const rb = this.rects;
      const hits = this.highlights.get(lane.id);
      for (let k = 0; k < rb.n; k++) {
        const st = rb.state[k];
        const h = rowPx * th.height[st];
        this.push(st, a.left + rb.x0[k], yc - h / 2, rb.x1[k] - rb.x0[k], h);
        const fg = rb.fg[k];
        if (fg !== NO_FG) {
          // Merged sub-pixel spans of both kinds: the foreground state over the background one,
          // as tall as its share of the time (never thinner than a hairline).
          const hf = Math.max(2, rowPx * th.height[fg] * Math.min(1, rb.share[k]));
          this.push(fg, a.left + rb.x0[k], yc - hf / 2, rb.x1[k] - rb.x0[k], hf);
        }
        if (hits) {
          const end = rb.first[k] + rb.count[k];
          for (let i = rb.first[k]; i < end; i++) {
            if (hits.has(table.src[i])) {
              highlightRects.push(a.left + rb.x0[k] - 1, yc - rowPx / 2 + 1, rb.x1[k] - rb.x0[k] + 2, rowPx - 2);
              break;
            }
          }
        }
      }
      if (lane.marks) {
        for (const m of lane.marks) if (m.time >= t0 && m.time <= t1) markPoints.push(xs.getPixelForValue(m.time / 1000), yc, m.kind);
      }
      const sel = this.selection;
      if (sel && sel.laneId === lane.id) {
        const x0 = Math.max(a.left - 2, xs.getPixelForValue(sel.start / 1000));
        const x1 = Math.min(a.right + 2, Math.max(x0 + 1, xs.getPixelForValue(sel.end / 1000)));
        selRect = [x0 - 2, yc - rowPx / 2 + 0.5, x1 - x0 + 4, rowPx - 1];
      }
    }
    for (const s of DRAW_ORDER) {
      const n = this.batchN[s];
      if (n === 0) continue;
      const b = this.batches[s];
      ctx.beginPath();
      for (let i = 0; i < n; i += 4) ctx.rect(b[i], b[i + 1], b[i + 2], b[i + 3]);
      ctx.fillStyle = th.fill[s];
      ctx.fill();
      if (th.stroke[s]) {
        ctx.strokeStyle = th.stroke[s];
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    }
    if (markPoints.length) this.drawMarks(ctx, markPoints, rowPx);
    if (highlightRects.length) {
      ctx.beginPath();
      for (let i = 0; i < highlightRects.length; i += 4) ctx.rect(highlightRects[i], highlightRects[i + 1], highlightRects[i + 2], highlightRects[i + 3]);
      ctx.strokeStyle = th.highlight;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    if (selRect) {
      ctx.strokeStyle = th.selection;
      ctx.lineWidth = 2;
      ctx.setLineDash([]);
      ctx.strokeRect(selRect[0], selRect[1], selRect[2], selRect[3]);
    }
    ctx.restore();
    this.lastDrawMs = performance.now() - t0p;
  }

  /**
   * Draws lane marks (x, y, kind triples). A cut bar ends in a zigzag, like a torn edge: it did not
   * end there, it stopped being followed. The thread's stop is a line across its row with a flag.
   */
  private drawMarks(ctx: CanvasRenderingContext2D, points: number[], rowPx: number): void {
    const half = rowPx / 2 - 1;
    ctx.setLineDash([]);
    ctx.lineJoin = 'round';
    // Twice: a halo in the background colour first, so the mark stays visible over any bar colour.
    for (const [colour, width] of [[this.theme.background, 4], [this.theme.mark, 2]] as const) {
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = width;
      for (let i = 0; i < points.length; i += 3) {
        const x = Math.round(points[i]) + 0.5;
        const y = points[i + 1];
        ctx.beginPath();
        if (points[i + 2] === MarkKind.Cut) {
          const tooth = Math.max(2, half / 3);
          ctx.moveTo(x, y - half);
          for (let k = 1, yy = y - half + tooth; yy <= y + half + 0.01; k++, yy += tooth) ctx.lineTo(k % 2 ? x + 3 : x - 1, yy);
          ctx.stroke();
        } else {
          ctx.moveTo(x, y - half);
          ctx.lineTo(x, y + half);
          ctx.stroke();
          ctx.beginPath();
          ctx.moveTo(x, y - half);
          ctx.lineTo(x + 8, y - half + 4);
          ctx.lineTo(x, y - half + 8);
          ctx.closePath();
          ctx.fill();
          ctx.stroke();
        }
      }
    }
  }

  /** Frees the chart. */
  destroy(): void {
    this.chart.destroy();
  }
}
