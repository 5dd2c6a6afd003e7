/**
 * The diagram page: toolbar (run controls, search, filters), lane labels, the timeline, the
 * details pane, legend, statistics and the screen-reader summary. It reads the trace incrementally
 * from host messages and keeps its view state through the host adapter.
 */
import { TraceReader, TraceFormatError, formatFrame, type SourceFrame, type TraceModel } from '../src/trace/model';
import { assertNever, type ToWebviewMessage } from '../src/trace/protocol';
import { h, clear, append } from './dom';
import type { HostAdapter } from './host';
import { defaultFilter, firstOverlapping, layoutLanes, spanAt, STATE_NAMES, GROUP_TITLES, baseName, type Lane, type LaneFilter, type LaneMark, type LaneGroup, type Layout, type Row } from './lanes';
import { computeStats, type Stats } from './stats';
import { searchLanes, type SearchResult } from './search';
import { CausalIndex, describeSpan, findSpansByKey, followStopNotice, formatDuration, markNote, stackCutNotice, type ChainItem, type SpanInfo } from './spanInfo';
import { readTheme } from './theme';
import { Timeline, ROW_PX, type Hit } from './timeline';
import { button, checkbox, registerToolkit, textField } from './ui/toolkit';

/** View state kept with the webview state API. */
interface ViewState {
  v: 1;
  filter: { hiddenGroups: LaneGroup[]; hiddenTypes: string[]; onlyMyCode: boolean; collapsed: string[] };
  zoom?: { x0: number; x1: number; top: number };
  selection?: { laneId: string; start: number };
  search: string;
  statsOpen: boolean;
  /** Width of the lane-label column in CSS pixels, once the user has dragged it. */
  labelWidth?: number;
}

const GROUPS: LaneGroup[] = ['threads', 'tasks', 'ops'];

/** Narrowest lane-label column the resizer allows (a twisty and a few characters). */
const MIN_LABEL_PX = 60;
/** The label column never takes more than this share of the timeline, so the bars keep most of it. */
const MAX_LABEL_SHARE = 0.45;
/** Keyboard step of the label-column resizer. */
const LABEL_STEP_PX = 16;

/** Above this many async resources, the "Async resources" group starts folded. */
const BIG_TRACE_OPS = 50_000;

/** Milliseconds from a µs timestamp, for display. */
const fmtTime = (us: number): string => `${(us / 1000).toFixed(us < 10000 ? 3 : us < 1e6 ? 2 : 1)} ms`;

/** The whole page. */
export class DiagramApp {
  private reader = new TraceReader();
  private model: TraceModel = this.reader.model;
  private causal = new CausalIndex(this.model);
  private filter: LaneFilter = defaultFilter();
  private layout: Layout | undefined;
  private timeline!: Timeline;
  private search: SearchResult = { matches: [], byLane: new Map() };
  private searchQuery = '';
  private searchIndex = -1;
  private selected: Hit | undefined;
  private live = false;
  private ended: { text: string } | undefined;
  private title = '';
  private fatal: string | undefined;
  private relayoutPending = false;
  private relayoutTimer: number | undefined;
  private relayoutFrame = false;
  private relayoutCost = 0;
  private sizeChecked = false;
  private lastRelayout = 0;
  private restored: ViewState | undefined;
  private statsOpen = false;
  private statsDirty = true;
  private saveTimer: number | undefined;
  private knownTypes = '';
  private running = false;
  private canRerun = false;
  /** Where the time of the current trace went (ms), for the benchmark: reading, lane layout, chart update, DOM. */
  private phases = { read: 0, layout: 0, chart: 0, dom: 0 };

  // Elements.
  private readonly statusEl = h('div', { className: 'cd-status', role: 'status', 'aria-live': 'polite' });
  private readonly noticeEl = h('div', { className: 'cd-notice', role: 'status', 'aria-live': 'polite' });
  /** The notice line: where the runner stopped following some thread's promises (bars end there unfinished), and hook calls out of stack. */
  private readonly followEl = h('div', { className: 'cd-follow-stop', role: 'status', hidden: true });
  /** What the notice line shows now (promises no longer followed, hook calls out of stack), to redraw it only when it changes. */
  private followText: string | undefined;
  private readonly labelsInner = h('div', { className: 'cd-labels-inner' });
  private readonly labelsEl = h('div', { className: 'cd-labels', role: 'tree', 'aria-label': 'Lanes' }, h('div', { className: 'cd-labels-clip' }, this.labelsInner));
  private labelEls = new Map<number, HTMLElement>();
  private labelRows: readonly Row[] | undefined;
  private labelsFrame = false;
  private readonly canvas = h('canvas', { className: 'cd-canvas', tabindex: '0', role: 'application', 'aria-roledescription': 'timeline' });
  private readonly chartWrap = h('div', { className: 'cd-chart' }, this.canvas);
  private readonly resizer = h('div', {
    className: 'cd-resizer',
    role: 'separator',
    tabindex: '0',
    'aria-orientation': 'vertical',
    'aria-label': 'Width of the lane labels (Left/Right arrows to resize)',
    title: 'Drag to resize the lane labels',
  });
  private labelWidth: number | undefined;
  /** Shows or hides the details pane where it sits below the chart (narrow panels only). */
  private readonly drawerToggle = h('button', { className: 'cd-drawer-toggle', 'aria-expanded': 'true', 'aria-controls': 'cd-details', title: 'Show or hide the details pane' });
  private readonly drawer = h('div', { className: 'cd-drawer' }, this.drawerToggle);
  private readonly detailsEl = h('aside', { className: 'cd-details', id: 'cd-details', 'aria-label': 'Details of the selection' });
  private readonly tooltipEl = h('div', { className: 'cd-tooltip', role: 'tooltip', hidden: true });
  private readonly typesEl = h('div', { className: 'cd-types', role: 'group', 'aria-label': 'Resource types' });
  private readonly searchCountEl = h('span', { className: 'cd-search-count', 'aria-live': 'polite' });
  private readonly statsEl = h('div', { className: 'cd-stats-body' });
  private readonly statsDetails = h('details', { className: 'cd-stats' }, h('summary', {}, 'Statistics'), this.statsEl);
  private readonly srSummary = h('p', { className: 'cd-sr-only', id: 'cd-summary' });
  private readonly srAnnounce = h('div', { className: 'cd-sr-only', 'aria-live': 'assertive' });
  private readonly legendEl = h('div', { className: 'cd-legend', role: 'list', 'aria-label': 'Legend' });
  private stopBtn!: HTMLElement;
  private rerunBtn!: HTMLElement;
  private groupBoxes = new Map<LaneGroup, HTMLElement & { checked: boolean }>();
  private onlyMineBox!: HTMLElement & { checked: boolean };
  private searchField!: HTMLElement & { value: string };

  constructor(private readonly root: HTMLElement, private readonly host: HostAdapter) {}

  /** Builds the page and says ready to the host. */
  start(): void {
    registerToolkit();
    this.restored = this.readState(this.host.getState());
    if (this.restored) this.applyFilterState(this.restored);
    this.buildDom();
    const ctx = this.canvas.getContext('2d')!;
    this.timeline = new Timeline(this.canvas, readTheme(document.body, ctx), {
      hover: (hit, x, y, mark) => this.showTooltip(hit, x, y, mark),
      click: (hit, e) => {
        this.canvas.focus();
        if (!hit) return this.select(undefined);
        this.select(hit);
        this.reveal(this.currentInfo()?.stack[0], e.ctrlKey || e.metaKey);
      },
      viewChanged: () => {
        this.renderLabels();
        this.saveState();
      },
    });
    new ResizeObserver(() => {
      this.timeline.resized();
      this.renderLabels();
    }).observe(this.chartWrap);
    // VS Code swaps the theme by changing the body class and the variables in the html element's style.
    const themeObserver = new MutationObserver(() => this.themeChanged());
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
    window.matchMedia?.('(prefers-color-scheme: light)').addEventListener?.('change', () => this.themeChanged());
    this.labelsEl.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.timeline.panBy(0, Math.sign(e.deltaY) * Math.max(1, Math.round(Math.abs(e.deltaY) / ROW_PX)));
    }, { passive: false });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focus', () => {
      if (!this.selected) this.announce('Timeline. Arrow keys move between bars and lanes, Enter opens the source, plus and minus zoom, 0 resets.');
    });
    this.host.listen((m) => this.onMessage(m));
    this.renderAll();
    this.host.post({ type: 'ready' });
  }

  // ---------------------------------------------------------------- messages

  private onMessage(m: ToWebviewMessage): void {
    switch (m.type) {
      case 'reset':
        this.reader = new TraceReader();
        this.model = this.reader.model;
        this.causal = new CausalIndex(this.model);
        this.phases = { read: 0, layout: 0, chart: 0, dom: 0 };
        this.title = m.title;
        this.live = m.live;
        this.sizeChecked = false;
        this.ended = undefined;
        this.fatal = undefined;
        this.selected = undefined;
        this.timeline.setSelection(undefined);
        this.timeline.userZoomed = false;
        document.title = m.title ? `Concurrency Diagram — ${m.title}` : 'Concurrency Diagram';
        this.scheduleRelayout(true);
        return;
      case 'traceChunk':
        if (this.fatal) return;
        try {
          const t = performance.now();
          this.reader.push(m.text);
          this.phases.read += performance.now() - t;
        } catch (e) {
          this.fatal = e instanceof TraceFormatError ? e.message : `The trace could not be read: ${(e as Error).message}`;
        }
        this.scheduleRelayout(false);
        return;
      case 'runEnded': {
        this.live = false;
        try {
          this.reader.finish();
        } catch (e) {
          this.fatal = (e as Error).message;
        }
        const end = this.model.end;
        const exitCode = m.exitCode ?? end?.exitCode ?? null;
        const signal = m.signal ?? end?.signal ?? null;
        const stopped = m.stopped || !!end?.stopped;
        let text = stopped ? 'Stopped' : signal ? `Ended by ${signal}` : exitCode !== null ? `Exited with code ${exitCode}` : 'Finished';
        if (m.summary) text += ` · ${m.summary}`;
        this.ended = { text };
        this.scheduleRelayout(true);
        return;
      }
      case 'selectOps': {
        const keys = new Set(m.keys.filter((k) => typeof k === 'string'));
        this.selectKeys(keys);
        return;
      }
      case 'runState':
        this.running = m.running;
        this.canRerun = m.canRerun;
        this.renderRunButtons();
        return;
      default:
        assertNever(m);
    }
  }

  /**
   * Schedules a relayout. A live run relayouts at most ~4 times a second (less often when a
   * relayout itself is slow, so a huge live trace does not starve input); a trace that is not live
   * relayouts once its chunks stop arriving; `now` (reset, run ended) relayouts on the next frame.
   */
  private scheduleRelayout(now: boolean): void {
    if (this.relayoutPending && !now && this.live) return;
    if (this.relayoutTimer !== undefined) clearTimeout(this.relayoutTimer);
    this.relayoutTimer = undefined;
    const alreadyQueued = this.relayoutPending && this.relayoutFrame;
    this.relayoutPending = true;
    const run = (): void => {
      this.relayoutFrame = false;
      this.relayoutPending = false;
      const t = performance.now();
      this.relayout();
      this.lastRelayout = performance.now();
      this.relayoutCost = this.lastRelayout - t;
    };
    const frame = (): void => {
      if (alreadyQueued) return;
      this.relayoutFrame = true;
      requestAnimationFrame(run);
    };
    if (now) return frame();
    const wait = this.live ? Math.max(0, Math.max(250, this.relayoutCost * 4) - (performance.now() - this.lastRelayout)) : 120;
    this.relayoutTimer = window.setTimeout(() => {
      this.relayoutTimer = undefined;
      frame();
    }, wait);
  }

  /** True while a relayout is scheduled (tests and the benchmark wait for it). */
  get busy(): boolean {
    return this.relayoutPending;
  }

  private relayout(): void {
    const now = this.model.endTs ?? this.model.lastTs;
    if (!this.sizeChecked && this.model.ops.size > BIG_TRACE_OPS && !this.restored) {
      // A huge trace opens with the per-type resource lanes folded (once; the user may unfold
      // them): they repeat what the thread lanes show, and laying them out costs as much as the rest.
      this.sizeChecked = true;
      this.filter = { ...this.filter, collapsed: new Set([...this.filter.collapsed, 'group:ops']) };
    }
    const keep = this.selected ? { laneId: this.selected.lane.id, start: this.selected.lane.spans.start[this.selected.index] } : this.restored?.selection;
    const t0 = performance.now();
    this.layout = layoutLanes(this.model, this.filter, now);
    const t1 = performance.now();
    this.timeline.setData(this.layout.rows, this.layout.start, this.layout.end);
    const t2 = performance.now();
    // Summed over every relayout since the reset (a slow load may relayout a part first).
    this.phases.layout += t1 - t0;
    this.phases.chart += t2 - t1;
    if (this.restored?.zoom && this.model.records > 0 && this.ended) {
      // Restore the zoom once the whole trace is there (the panel was hidden and shown again).
      const z = this.restored.zoom;
      this.timeline.setView({ x0: z.x0, x1: z.x1, top: z.top }, true);
    }
    if (keep) {
      const hit = this.findHit(keep.laneId, keep.start);
      this.selected = hit;
      this.timeline.setSelection(hit);
    }
    if (this.ended && this.restored) this.restored = undefined;
    if (this.searchQuery) this.runSearch(false);
    this.statsDirty = true;
    this.renderAll();
    this.phases.dom += performance.now() - t2;
  }

  private findHit(laneId: string, start: number): Hit | undefined {
    const rows = this.timeline.currentRows;
    const row = rows.findIndex((r) => r.kind === 'lane' && r.lane.id === laneId);
    if (row < 0) return undefined;
    const lane = (rows[row] as { lane: Lane }).lane;
    const i = spanAt(lane.spans, start, 0);
    return i < 0 ? undefined : { row, lane, index: i };
  }

  // ---------------------------------------------------------------- DOM

  private buildDom(): void {
    const standalone = this.host.standalone;
    this.stopBtn = button('Stop', { title: 'Stop the running script', onClick: () => this.host.post({ type: 'stop' }) });
    this.rerunBtn = button('Re-run', { title: 'Run the script again with the same settings', onClick: () => this.host.post({ type: 'rerun' }) });
    const exportBtn = button('Export…', { title: 'Export the trace (our format, Chrome/Perfetto JSON, or an HTML report)', onClick: () => this.host.post({ type: 'export' }) });
    const runControls = standalone ? null : h('div', { className: 'cd-group', role: 'group', 'aria-label': 'Run' }, this.stopBtn, this.rerunBtn, exportBtn);
    this.searchField = textField('Search function, file, type', 'Search function, file or type', (v) => {
      this.searchQuery = v;
      this.runSearch(true);
      this.saveState();
    });
    this.searchField.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') this.stepSearch(e.shiftKey ? -1 : 1);
    });
    if (this.restored?.search) {
      this.searchQuery = this.restored.search;
      this.searchField.value = this.restored.search;
    }
    const prev = button('‹', { title: 'Previous match (Shift+Enter)', appearance: 'icon', onClick: () => this.stepSearch(-1) });
    const next = button('›', { title: 'Next match (Enter)', appearance: 'icon', onClick: () => this.stepSearch(1) });
    const searchGroup = h('div', { className: 'cd-group cd-search', role: 'search' }, this.searchField, prev, next, this.searchCountEl);
    for (const g of GROUPS) {
      const box = checkbox(GROUP_TITLES[g], !this.filter.hiddenGroups.has(g), (on) => {
        if (on === !this.filter.hiddenGroups.has(g)) return;
        const s = new Set(this.filter.hiddenGroups);
        if (on) s.delete(g);
        else s.add(g);
        this.filter = { ...this.filter, hiddenGroups: s };
        this.filterChanged();
      });
      this.groupBoxes.set(g, box);
    }
    this.onlyMineBox = checkbox('Only my code', this.filter.onlyMyCode, (on) => {
      if (on === this.filter.onlyMyCode) return;
      this.filter = { ...this.filter, onlyMyCode: on };
      this.filterChanged();
    });
    const filters = h('div', { className: 'cd-group', role: 'group', 'aria-label': 'Show lane groups' }, ...this.groupBoxes.values(), this.onlyMineBox);
    const zoomGroup = h(
      'div',
      { className: 'cd-group', role: 'group', 'aria-label': 'Zoom' },
      button('+', { title: 'Zoom in (+)', appearance: 'icon', onClick: () => this.timeline.zoomBy(2) }),
      button('−', { title: 'Zoom out (−)', appearance: 'icon', onClick: () => this.timeline.zoomBy(0.5) }),
      button('Reset zoom', { title: 'Show the whole run (0 or double-click)', onClick: () => this.timeline.resetZoom() }),
    );
    const toolbar = h('header', { className: 'cd-toolbar', role: 'toolbar', 'aria-label': 'Diagram controls' }, runControls, searchGroup, filters, zoomGroup);
    const body = h(
      'main',
      { className: 'cd-body' },
      h('div', { className: 'cd-timeline' }, this.labelsEl, this.resizer, this.chartWrap),
      this.drawer,
    );
    this.drawer.append(this.detailsEl);
    this.drawerToggle.addEventListener('click', () => this.setDrawerOpen(this.drawer.classList.contains('cd-drawer-closed')));
    this.setDrawerOpen(true);
    this.canvas.setAttribute('aria-describedby', 'cd-summary');
    this.statsDetails.open = this.restored?.statsOpen ?? false;
    this.statsOpen = this.statsDetails.open;
    this.statsDetails.addEventListener('toggle', () => {
      this.statsOpen = this.statsDetails.open;
      if (this.statsOpen) this.renderStats();
      this.saveState();
    });
    const footer = h('footer', { className: 'cd-footer' }, h('div', { className: 'cd-filters-row' }, h('span', { className: 'cd-muted' }, 'Resource types:'), this.typesEl), this.legendEl, this.statsDetails);
    append(this.root, toolbar, h('div', { className: 'cd-statusbar' }, this.statusEl, this.noticeEl), this.followEl, body, footer, this.tooltipEl, this.srSummary, this.srAnnounce);
    const w = this.restored?.labelWidth;
    this.setupResizer(typeof w === 'number' && Number.isFinite(w) ? w : undefined);
    this.renderLegend();
    this.renderRunButtons();
  }

  /**
   * The separator between lane labels and bars: drag it, or focus it and use Left/Right (Home/End
   * for narrowest/widest). The width is clamped so the bars always keep most of the timeline.
   */
  private setupResizer(initial: number | undefined): void {
    const r = this.resizer;
    const apply = (px: number | undefined, save: boolean): void => {
      const timelineW = this.labelsEl.parentElement?.clientWidth ?? 0;
      if (px !== undefined) {
        const max = Math.max(MIN_LABEL_PX, Math.floor(timelineW * MAX_LABEL_SHARE));
        px = Math.round(Math.min(max, Math.max(MIN_LABEL_PX, px)));
        this.labelsEl.style.width = `${px}px`;
      }
      this.labelWidth = px;
      const now = Math.round(this.labelsEl.getBoundingClientRect().width);
      r.setAttribute('aria-valuenow', String(now));
      r.setAttribute('aria-valuemin', String(MIN_LABEL_PX));
      r.setAttribute('aria-valuemax', String(Math.max(MIN_LABEL_PX, Math.floor(timelineW * MAX_LABEL_SHARE))));
      if (save) this.saveState();
    };
    const current = (): number => this.labelsEl.getBoundingClientRect().width;
    r.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      r.setPointerCapture(e.pointerId);
      const x0 = e.clientX;
      const w0 = current();
      r.classList.add('cd-resizing');
      const move = (m: PointerEvent): void => apply(w0 + m.clientX - x0, false);
      const up = (): void => {
        r.classList.remove('cd-resizing');
        r.removeEventListener('pointermove', move);
        r.removeEventListener('pointerup', up);
        r.removeEventListener('pointercancel', up);
        apply(this.labelWidth, true);
      };
      r.addEventListener('pointermove', move);
      r.addEventListener('pointerup', up);
      r.addEventListener('pointercancel', up);
    });
    r.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? LABEL_STEP_PX * 4 : LABEL_STEP_PX;
      let px: number | undefined;
      if (e.key === 'ArrowLeft') px = current() - step;
      else if (e.key === 'ArrowRight') px = current() + step;
      else if (e.key === 'Home') px = MIN_LABEL_PX;
      else if (e.key === 'End') px = Number.MAX_SAFE_INTEGER;
      else return;
      e.preventDefault();
      apply(px, true);
    });
    // Double-click goes back to the default width for this page size.
    r.addEventListener('dblclick', () => {
      this.labelsEl.style.width = '';
      apply(undefined, true);
    });
    // Re-clamp when the panel gets narrower than the chosen width allows.
    new ResizeObserver(() => apply(this.labelWidth, false)).observe(this.labelsEl.parentElement!);
    apply(initial, false);
  }

  /** Opens or closes the details drawer (the toggle only shows when the pane sits below the chart). */
  private setDrawerOpen(open: boolean): void {
    this.drawer.classList.toggle('cd-drawer-closed', !open);
    this.drawerToggle.setAttribute('aria-expanded', String(open));
    this.drawerToggle.textContent = open ? '▾ Details' : '▸ Details';
  }

  /** Shows a short notice (e.g. the standalone report's "copied file:line"). */
  notify(text: string): void {
    this.noticeEl.textContent = text;
  }

  private renderRunButtons(): void {
    if (!this.stopBtn) return;
    this.stopBtn.toggleAttribute('disabled', !this.running);
    this.rerunBtn.toggleAttribute('disabled', !this.canRerun || this.running);
  }

  private renderAll(): void {
    this.renderStatus();
    this.renderTypes();
    this.renderLabels();
    this.renderDetails();
    this.renderSummary();
    if (this.statsOpen && this.statsDirty) this.renderStats();
  }

  private renderStatus(): void {
    const m = this.model;
    const parts: string[] = [];
    const follow = followStopNotice(m);
    const cuts = stackCutNotice(m);
    const notice = follow || cuts ? `${follow ?? ''}|${cuts ?? ''}` : undefined;
    if (this.followText !== notice) {
      this.followText = notice;
      clear(this.followEl);
      if (cuts) this.followEl.append(cuts + '.', follow ? ' ' : '');
      // The setting and the option as code, never broken at their hyphens.
      for (const part of (follow ?? '').split(/(concurrencyDiagram\.overheadLimit|--no-overhead-limit)/)) {
        this.followEl.append(/^(concurrencyDiagram|--)/.test(part) ? h('code', {}, part) : part);
      }
      // In VS Code the setting is a click away (the standalone report has no settings to open).
      if (follow && !this.host.standalone) {
        this.followEl.append(' ', h('button', { className: 'cd-link', title: 'Open the setting concurrencyDiagram.overheadLimit', onclick: () => this.host.post({ type: 'openOverheadSetting' }) }, 'Open setting'));
      }
    }
    this.followEl.hidden = !notice;
    if (this.fatal) {
      this.statusEl.textContent = this.fatal;
      this.statusEl.classList.add('cd-error');
      return;
    }
    this.statusEl.classList.remove('cd-error');
    if (this.title) parts.push(this.title);
    if (this.ended) parts.push(this.ended.text);
    else if (this.live) parts.push('running…');
    else if (m.records === 0) parts.push('waiting for a trace…');
    if (this.layout) parts.push(`${this.layout.lanes.length} lanes · ${this.layout.spanCount.toLocaleString('en-US')} bars · ${formatDuration(this.layout.end - this.layout.start)}`);
    if (m.problems.length) parts.push(`${m.problems.length} line(s) could not be read (first: line ${m.problems[0].line}: ${m.problems[0].message})`);
    this.statusEl.textContent = parts.join(' · ');
  }

  private renderLegend(): void {
    clear(this.legendEl);
    const items: [string, string, string][] = [
      ['running', 'Running: code on the thread (callback, task, pool job)', 'running'],
      ['waiting', 'Waiting: suspended at an await, or a resource pending', 'waiting'],
      ['parked', 'Parked: an async generator suspended at a yield, until its consumer asks for the next value', 'parked'],
      ['queued', 'Queued: submitted to the threadpool, no thread yet', 'queued'],
      ['blocked', 'Blocked event loop: synchronous code over the threshold', 'blocked'],
      ['inferred', 'Pool thread inferred: Node does not say which thread ran it; placed by a model of libuv\u2019s FIFO queue', 'inferred'],
      ['runner', 'Runner start-up: the recorder itself (preload, TypeScript compile), not your code', 'runner'],
    ];
    for (const [cls, text] of items) {
      this.legendEl.append(h('span', { className: 'cd-legend-item', role: 'listitem' }, h('span', { className: `cd-swatch cd-sw-${cls}`, 'aria-hidden': 'true' }), text));
    }
    this.legendEl.append(h('span', { className: 'cd-legend-item cd-muted', role: 'listitem' }, 'Wheel: zoom · drag: pan · Shift+drag: zoom to range · double-click: reset · click: open source (Ctrl/Cmd: to the side)'));
  }

  private renderTypes(): void {
    const types = this.layout?.types ?? [];
    const sig = types.join('\n') + '|' + [...this.filter.hiddenTypes].sort().join('\n');
    if (sig === this.knownTypes) return;
    this.knownTypes = sig;
    clear(this.typesEl);
    for (const t of types) {
      const box = checkbox(t, !this.filter.hiddenTypes.has(t), (on) => {
        if (on === !this.filter.hiddenTypes.has(t)) return;
        const s = new Set(this.filter.hiddenTypes);
        if (on) s.delete(t);
        else s.add(t);
        this.filter = { ...this.filter, hiddenTypes: s };
        this.filterChanged();
      });
      box.setAttribute('data-type', t);
      this.typesEl.append(box);
    }
  }

  private filterChanged(): void {
    this.relayout();
    this.saveState();
  }

  /** Positions the labels against their lanes, at most once per frame. */
  private renderLabels(): void {
    if (this.labelsFrame) return;
    this.labelsFrame = true;
    requestAnimationFrame(() => {
      this.labelsFrame = false;
      this.renderLabelsNow();
    });
  }

  /**
   * Labels sit in an inner layer at fixed offsets (row × row height); vertical panning only moves
   * that layer, and zooming in time touches no DOM at all, so gestures stay cheap.
   */
  private renderLabelsNow(): void {
    if (!this.timeline) return;
    const rows = this.timeline.currentRows;
    const g = this.timeline.rowGeometry();
    const v = this.timeline.view;
    if (rows !== this.labelRows) {
      this.labelRows = rows;
      this.labelEls.clear();
      clear(this.labelsInner);
    }
    this.labelsInner.style.transform = `translateY(${g.y0 - g.rowPx / 2}px)`;
    const first = Math.max(0, Math.floor(v.top) - 1);
    const last = Math.min(rows.length - 1, Math.ceil(v.top + this.timeline.visibleRows) + 1);
    for (const [r, el] of this.labelEls) {
      if (r < first || r > last) {
        el.remove();
        this.labelEls.delete(r);
      }
    }
    for (let r = first; r <= last; r++) {
      if (this.labelEls.has(r)) continue;
      const el = this.labelFor(rows[r], r);
      el.style.top = `${r * g.rowPx}px`;
      this.labelEls.set(r, el);
      this.labelsInner.append(el);
    }
    // Rows under the time axis are hidden by the clip of the labels column.
    this.labelsEl.style.setProperty('--cd-axis', `${g.top}px`);
  }

  private labelFor(row: Row, r: number): HTMLElement {
    if (row.kind === 'group') {
      const toggle = (): void => this.toggleCollapsed(row.id);
      return h(
        'div',
        { className: 'cd-label cd-label-group', role: 'treeitem', 'aria-level': '1', 'aria-expanded': String(!row.collapsed), 'data-row': r, 'data-id': row.id },
        h('button', { className: 'cd-twisty', 'aria-label': `${row.collapsed ? 'Expand' : 'Collapse'} ${row.label}`, onclick: toggle }, row.collapsed ? '▸' : '▾'),
        h('span', { className: 'cd-label-text', title: `${row.label} (${row.count})` }, `${row.label} (${row.count})`),
      );
    }
    const lane = row.lane;
    const collapsed = this.filter.collapsed.has(lane.id);
    const el = h(
      'div',
      {
        className: `cd-label cd-label-${lane.group}`,
        role: 'treeitem',
        'aria-level': String(lane.depth + 2),
        'aria-expanded': lane.hasChildren ? String(!collapsed) : undefined,
        'data-row': r,
        'data-id': lane.id,
        title: lane.source ? `${lane.label}\n${formatFrame(lane.source)}` : lane.label,
      },
      lane.hasChildren ? h('button', { className: 'cd-twisty', 'aria-label': `${collapsed ? 'Expand' : 'Collapse'} ${lane.label}`, onclick: () => this.toggleCollapsed(lane.id) }, collapsed ? '▸' : '▾') : h('span', { className: 'cd-twisty-space' }),
      h('span', { className: 'cd-label-text' }, lane.label),
    );
    el.style.paddingLeft = `${4 + lane.depth * 12}px`;
    el.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('button')) return;
      if (lane.spans.n) {
        this.select({ row: r, lane, index: 0 });
        this.timeline.reveal(r, lane.spans.start[0], lane.spans.end[0]);
      }
    });
    return el;
  }

  private toggleCollapsed(id: string): void {
    const s = new Set(this.filter.collapsed);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    this.filter = { ...this.filter, collapsed: s };
    this.filterChanged();
  }

  // ---------------------------------------------------------------- selection, tooltip, details

  private currentInfo(): SpanInfo | undefined {
    return this.selected ? describeSpan(this.model, this.selected.lane, this.selected.index) : undefined;
  }

  private select(hit: Hit | undefined): void {
    this.selected = hit;
    this.timeline.setSelection(hit);
    this.renderDetails();
    if (hit) this.setDrawerOpen(true);
    if (hit) {
      const i = describeSpan(this.model, hit.lane, hit.index);
      this.announce(`${i.type} ${i.label}, ${i.state}, ${hit.lane.label}, ${fmtTime(i.start)}, ${formatDuration(i.duration)}${i.stack[0] ? `, ${baseName(i.stack[0].file)} line ${i.stack[0].line}` : ''}`);
    }
    this.saveState();
  }

  private reveal(f: SourceFrame | undefined, toSide: boolean): void {
    if (!f || f.line < 1) return;
    this.host.post({ type: 'revealSource', file: f.file, line: f.line, column: Math.max(1, f.column), toSide });
  }

  private selectKeys(keys: ReadonlySet<string>): void {
    if (!this.layout) return;
    const found = findSpansByKey(this.layout.lanes, keys);
    const byLane = new Map<string, Set<number>>();
    for (const f of found) {
      const set = byLane.get(f.lane.id) ?? new Set<number>();
      set.add(f.lane.spans.src[f.index]);
      byLane.set(f.lane.id, set);
    }
    this.timeline.setHighlights(byLane);
    const first = found[0];
    if (!first) return this.notify('The selected operations are hidden by the current filters.');
    const row = this.timeline.currentRows.findIndex((r) => r.kind === 'lane' && r.lane === first.lane);
    if (row < 0) return this.notify('The selected operations are in a collapsed group.');
    this.select({ row, lane: first.lane, index: first.index });
    this.timeline.reveal(row, first.lane.spans.start[first.index], first.lane.spans.end[first.index]);
  }

  private showTooltip(hit: Hit | undefined, x: number, y: number, mark?: LaneMark): void {
    const tip = this.tooltipEl;
    if (!hit && !mark) {
      tip.hidden = true;
      return;
    }
    clear(tip);
    // A lane mark (where the runner stopped following promises) is told first: it explains the bar ending there.
    if (mark) append(tip, h('div', { className: 'cd-tip-mark' }, markNote(this.model, mark)));
    if (hit) this.appendSpanTip(tip, describeSpan(this.model, hit.lane, hit.index), !!mark);
    tip.hidden = false;
    const pad = 14;
    const w = tip.offsetWidth;
    const hgt = tip.offsetHeight;
    const left = x + pad + w > window.innerWidth ? Math.max(0, x - pad - w) : x + pad;
    const top = y + pad + hgt > window.innerHeight ? Math.max(0, y - pad - hgt) : y + pad;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  /** The facts of one span in the tooltip (`marked`: a mark's note is already there, not repeated). */
  private appendSpanTip(tip: HTMLElement, i: SpanInfo, marked: boolean): void {
    append(
      tip,
      h('div', { className: 'cd-tip-title' }, i.label === i.type ? i.type : `${i.type} · ${i.label}`),
      h('div', {}, i.state),
      h('div', {}, `start ${fmtTime(i.start)} · duration ${formatDuration(i.duration)}`),
      i.wait !== undefined ? h('div', {}, `waited ${formatDuration(i.wait)} before it ran`) : null,
      h('div', {}, `thread ${i.thread}`),
      i.stack[0] ? h('div', { className: 'cd-tip-source' }, `source ${formatFrame(i.stack[0])}`) : h('div', { className: 'cd-muted' }, 'no user source recorded'),
      ...i.stack.slice(0, 4).map((f) => h('div', { className: 'cd-tip-frame' }, `at ${f.fn || '(anonymous)'} ${baseName(f.file)}:${f.line}:${f.column}`)),
      i.cut && !marked ? h('div', { className: 'cd-tip-mark' }, i.cut) : null,
    );
  }

  private frameButton(f: SourceFrame): HTMLElement {
    return h(
      'button',
      {
        className: 'cd-link',
        title: `Open ${formatFrame(f)} (Ctrl/Cmd+click: to the side)`,
        onclick: (e: MouseEvent) => this.reveal(f, e.ctrlKey || e.metaKey),
      },
      h('span', { className: 'cd-fn' }, f.fn || '(anonymous)'),
      ' ',
      h('span', { className: 'cd-muted' }, `${f.file}:${f.line}:${f.column}`),
    );
  }

  private chainList(title: string, items: ChainItem[]): HTMLElement | null {
    if (!items.length) return null;
    return h(
      'section',
      {},
      h('h3', {}, title),
      h(
        'ul',
        { className: 'cd-list' },
        ...items.map((c) =>
          h(
            'li',
            {},
            h('button', { className: 'cd-link', title: 'Select it in the diagram', onclick: () => this.selectKeys(new Set([c.key])) }, c.label),
            c.frame ? h('span', { className: 'cd-muted' }, ` ${baseName(c.frame.file)}:${c.frame.line}`) : null,
          ),
        ),
      ),
    );
  }

  private renderDetails(): void {
    const d = this.detailsEl;
    clear(d);
    const info = this.currentInfo();
    if (!info) {
      this.renderRunInfo(d);
      return;
    }
    const facts: [string, string][] = [
      ['type', info.type],
      ['state', info.state],
      ['start', fmtTime(info.start)],
      ['duration', formatDuration(info.duration)],
    ];
    if (info.wait !== undefined) facts.push(['waited before', formatDuration(info.wait)]);
    facts.push(['thread', info.thread]);
    if (info.inferred) facts.push(['placement', 'inferred (FIFO model of the libuv queue)']);
    append(
      d,
      h('h2', {}, info.label),
      h('dl', {}, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      info.cut ? h('p', { className: 'cd-cut-note' }, `${info.cut[0].toUpperCase()}${info.cut.slice(1)}.`) : null,
      h('section', {}, h('h3', {}, 'Stack'), info.stack.length ? h('ol', { className: 'cd-list' }, ...info.stack.map((f) => h('li', {}, this.frameButton(f)))) : h('p', { className: 'cd-muted' }, 'No user frames were recorded for this operation.')),
      this.chainList('Caused by', this.causal.causes(info.key)),
      this.chainList('Caused', this.causal.effects(info.key)),
    );
  }

  private renderRunInfo(d: HTMLElement): void {
    const run = this.model.run;
    append(d, h('h2', {}, 'Run'));
    if (!run) {
      append(d, h('p', { className: 'cd-muted' }, 'Select a bar to see its stack and causal chain.'));
      return;
    }
    append(
      d,
      h(
        'dl',
        {},
        h('dt', {}, 'script'),
        h('dd', {}, run.script),
        h('dt', {}, 'node'),
        h('dd', {}, `${run.node} ${run.platform}-${run.arch}`),
        h('dt', {}, 'pid'),
        h('dd', {}, String(run.pid)),
        h('dt', {}, 'threadpool size'),
        h('dd', {}, String(run.threadpoolSize)),
        run.args.length ? h('dt', {}, 'arguments') : null,
        run.args.length ? h('dd', {}, run.args.join(' ')) : null,
      ),
      h('p', { className: 'cd-muted' }, 'Select a bar to see its stack and causal chain.'),
    );
    for (const err of this.model.errors) {
      append(
        d,
        h(
          'section',
          { className: 'cd-run-error' },
          h('h3', {}, err.kind),
          h('p', {}, err.message),
          err.stack.length ? h('ol', { className: 'cd-list' }, ...err.stack.map((f) => h('li', {}, this.frameButton(f)))) : h('pre', {}, err.stackText),
        ),
      );
    }
  }

  // ---------------------------------------------------------------- search

  private runSearch(jump: boolean): void {
    if (!this.layout) return;
    this.search = searchLanes(this.layout.lanes, this.searchQuery);
    this.timeline.setHighlights(this.search.byLane);
    this.searchIndex = -1;
    this.renderSearchCount();
    if (jump && this.search.matches.length) this.stepSearch(1);
  }

  private renderSearchCount(): void {
    const n = this.search.matches.length;
    this.searchCountEl.textContent = !this.searchQuery.trim() ? '' : n === 0 ? 'no matches' : `${this.searchIndex + 1 > 0 ? this.searchIndex + 1 : '–'} of ${n}`;
  }

  private stepSearch(dir: 1 | -1): void {
    const ms = this.search.matches;
    if (!ms.length) return;
    // Skip matches folded away in collapsed lanes.
    for (let tries = 0; tries < ms.length; tries++) {
      this.searchIndex = (this.searchIndex + dir + ms.length) % ms.length;
      const m = ms[this.searchIndex];
      const row = this.timeline.currentRows.findIndex((r) => r.kind === 'lane' && r.lane.id === m.laneId);
      if (row < 0) continue;
      const lane = (this.timeline.currentRows[row] as { lane: Lane }).lane;
      this.select({ row, lane, index: m.span });
      this.timeline.reveal(row, lane.spans.start[m.span], lane.spans.end[m.span]);
      break;
    }
    this.renderSearchCount();
  }

  // ---------------------------------------------------------------- keyboard

  private onKey(e: KeyboardEvent): void {
    const tl = this.timeline;
    const sel = this.selected;
    let handled = true;
    switch (e.key) {
      case '+':
      case '=':
        tl.zoomBy(2, sel ? sel.lane.spans.start[sel.index] / 1000 : undefined);
        break;
      case '-':
      case '_':
        tl.zoomBy(0.5);
        break;
      case '0':
      case 'Home':
        tl.resetZoom();
        break;
      case 'PageDown':
        tl.panBy(0, Math.floor(tl.visibleRows) - 1);
        break;
      case 'PageUp':
        tl.panBy(0, -(Math.floor(tl.visibleRows) - 1));
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const d = e.key === 'ArrowLeft' ? -1 : 1;
        if (!sel || e.shiftKey) tl.panBy(0.1 * d, 0);
        else this.moveSelection(sel.row, Math.min(Math.max(0, sel.index + d), sel.lane.spans.n - 1));
        break;
      }
      case 'ArrowUp':
      case 'ArrowDown': {
        const d = e.key === 'ArrowUp' ? -1 : 1;
        if (!sel || e.shiftKey) {
          if (!sel && !e.shiftKey) this.selectFirstVisible();
          else tl.panBy(0, d);
        } else this.moveLane(d);
        break;
      }
      case 'Enter':
        this.reveal(this.currentInfo()?.stack[0], e.ctrlKey || e.metaKey);
        break;
      case 'Escape':
        this.select(undefined);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  private moveSelection(row: number, index: number): void {
    const r = this.timeline.currentRows[row];
    if (!r || r.kind !== 'lane') return;
    this.select({ row, lane: r.lane, index });
    this.timeline.reveal(row, r.lane.spans.start[index], r.lane.spans.end[index]);
  }

  private selectFirstVisible(): void {
    const rows = this.timeline.currentRows;
    const v = this.timeline.view;
    for (let r = Math.max(0, Math.floor(v.top)); r < rows.length; r++) {
      const row = rows[r];
      if (row.kind !== 'lane' || !row.lane.spans.n) continue;
      // The leftmost bar in view, else the lane's first.
      const i = firstOverlapping(row.lane.spans, v.x0 * 1000);
      this.moveSelection(r, i < row.lane.spans.n ? i : 0);
      return;
    }
  }

  private moveLane(d: 1 | -1): void {
    const sel = this.selected!;
    const rows = this.timeline.currentRows;
    const t = sel.lane.spans.start[sel.index];
    const v = this.timeline.view;
    for (let r = sel.row + d; r >= 0 && r < rows.length; r += d) {
      const row = rows[r];
      if (row.kind !== 'lane' || !row.lane.spans.n) continue;
      let i = spanAt(row.lane.spans, t, (v.x1 - v.x0) * 500);
      if (i < 0) i = Math.min(row.lane.spans.n - 1, Math.max(0, spanAt(row.lane.spans, t, Infinity)));
      this.moveSelection(r, i);
      return;
    }
  }

  private announce(text: string): void {
    this.srAnnounce.textContent = text;
  }

  // ---------------------------------------------------------------- statistics and summary

  private renderSummary(): void {
    const l = this.layout;
    const m = this.model;
    if (!l) {
      this.srSummary.textContent = 'No trace loaded yet.';
      return;
    }
    const count = (g: LaneGroup): number => l.lanes.filter((x) => x.group === g).length;
    const js = [...m.threads.values()];
    const pool = l.lanes.filter((x) => x.id.startsWith('pool:') && x.id !== 'pool:queue').length;
    const text =
      `Concurrency diagram${this.title ? ` of ${this.title}` : ''}: ${js.length} JavaScript thread(s) (${js.filter((t) => t.kind === 'worker').length} worker(s)), ` +
      `${pool} threadpool thread(s), ${count('tasks')} async task lane(s), ${m.ops.size} async resource(s), ${m.poolJobs.size} threadpool job(s), ` +
      `over ${formatDuration(l.end - l.start)}. ${this.ended ? this.ended.text + '.' : this.live ? 'Still running.' : ''}` +
      (m.blocked.length ? ` The event loop was blocked ${m.blocked.length} time(s).` : '') +
      (followStopNotice(m) ? ` ${followStopNotice(m)}` : '') +
      (stackCutNotice(m) ? ` ${stackCutNotice(m)}.` : '');
    this.srSummary.textContent = text;
    this.canvas.setAttribute('aria-label', `Timeline: ${l.rows.length} rows. ${text}`);
  }

  private renderStats(): void {
    this.statsDirty = false;
    const el = this.statsEl;
    clear(el);
    const l = this.layout;
    if (!l) return;
    const s: Stats = computeStats(this.model, l.lanes, l.start, l.end, this.filter.hiddenTypes);
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    append(
      el,
      h(
        'dl',
        { className: 'cd-stats-facts' },
        h('dt', {}, 'Threadpool utilisation'),
        h('dd', {}, `${pct(s.poolUtilisation)} of ${s.poolThreads} thread(s)`),
        h('dt', {}, 'Total queued time'),
        h('dd', {}, `${formatDuration(s.poolQueued)} over ${s.poolQueuedJobs} job(s)`),
        h('dt', {}, 'Event loop blocked'),
        h('dd', {}, s.blocked.length ? s.blocked.map((b) => `${b.thread}: ${formatDuration(b.total)} in ${b.count} stretch(es)`).join('; ') : 'never'),
      ),
      sortableTable('Busy share per lane', ['Lane', 'Busy', 'Busy %'], s.lanes.map((x) => [x.label, { v: x.busy, t: formatDuration(x.busy) }, { v: x.busyShare, t: pct(x.busyShare) }]), 2),
      sortableTable(
        'Per resource type',
        ['Type', 'Count', 'Total', 'Mean', 'Max', 'Mean wait', 'Max wait'],
        s.types.map((x) => [x.type, { v: x.count, t: String(x.count) }, ...[x.total, x.mean, x.max, x.meanWait, x.maxWait].map((v) => ({ v, t: formatDuration(v) }))]),
        2,
      ),
    );
    const waits = h('ol', { className: 'cd-list' });
    for (const w of s.longestWaits) {
      waits.append(h('li', {}, h('button', { className: 'cd-link', onclick: () => this.selectKeys(new Set([w.key])) }, `${formatDuration(w.wait)} — ${w.label}`)));
    }
    append(el, h('section', {}, h('h3', {}, 'Top 10 longest waits'), s.longestWaits.length ? waits : h('p', { className: 'cd-muted' }, 'No waits recorded.')));
  }

  // ---------------------------------------------------------------- theme and state

  private themeChanged(): void {
    const ctx = this.canvas.getContext('2d');
    if (ctx) this.timeline.setTheme(readTheme(document.body, ctx));
  }

  private readState(s: unknown): ViewState | undefined {
    const v = s as ViewState | undefined;
    if (!v || v.v !== 1 || !v.filter) return undefined;
    return v;
  }

  private applyFilterState(s: ViewState): void {
    const f = s.filter;
    this.filter = {
      hiddenGroups: new Set(f.hiddenGroups.filter((g) => GROUPS.includes(g))),
      hiddenTypes: new Set(f.hiddenTypes),
      onlyMyCode: !!f.onlyMyCode,
      collapsed: new Set(f.collapsed),
    };
  }

  private saveState(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = window.setTimeout(() => {
      this.saveTimer = undefined;
      const v = this.timeline.view;
      const s: ViewState = {
        v: 1,
        filter: { hiddenGroups: [...this.filter.hiddenGroups], hiddenTypes: [...this.filter.hiddenTypes], onlyMyCode: this.filter.onlyMyCode, collapsed: [...this.filter.collapsed] },
        zoom: this.timeline.userZoomed ? { x0: v.x0, x1: v.x1, top: v.top } : undefined,
        selection: this.selected ? { laneId: this.selected.lane.id, start: this.selected.lane.spans.start[this.selected.index] } : undefined,
        search: this.searchQuery,
        statsOpen: this.statsOpen,
        labelWidth: this.labelWidth,
      };
      this.host.setState(s);
    }, 200);
  }

  /** For tests and the benchmark: facts about what is on screen. */
  debugInfo(): {
    rows: string[];
    view: { x0: number; x1: number; top: number };
    lastDrawMs: number;
    matches: number;
    selected?: string;
    phases: { read: number; layout: number; chart: number; dom: number };
  } {
    return {
      phases: { ...this.phases },
      rows: this.timeline.currentRows.map((r) => (r.kind === 'group' ? `# ${r.label}` : r.lane.label)),
      view: this.timeline.view,
      lastDrawMs: this.timeline.lastDrawMs,
      matches: this.search.matches.length,
      selected: this.selected ? `${this.selected.lane.id}#${this.selected.index}` : undefined,
    };
  }

  /** For tests: the canvas point (client coordinates) at time `us` on lane `laneId` (e.g. a lane mark). */
  pointAtTime(laneId: string, us: number): { x: number; y: number } | undefined {
    const row = this.timeline.currentRows.findIndex((r) => r.kind === 'lane' && r.lane.id === laneId);
    if (row < 0) return undefined;
    const c = this.timeline.chart;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + c.scales.x.getPixelForValue(us / 1000), y: rect.top + c.scales.y.getPixelForValue(row) };
  }

  /** For tests: the canvas point (client coordinates) at the middle of span `index` of lane `laneId`. */
  pointOf(laneId: string, index: number): { x: number; y: number } | undefined {
    const rows = this.timeline.currentRows;
    const row = rows.findIndex((r) => r.kind === 'lane' && r.lane.id === laneId);
    if (row < 0) return undefined;
    const lane = (rows[row] as { lane: Lane }).lane;
    const c = this.timeline.chart;
    const rect = this.canvas.getBoundingClientRect();
    const mid = (lane.spans.start[index] + lane.spans.end[index]) / 2000;
    return { x: rect.left + c.scales.x.getPixelForValue(mid), y: rect.top + c.scales.y.getPixelForValue(row) };
  }
}

type Cell = string | { v: number; t: string };

/** A table whose columns sort when their header is clicked (numbers descending first). */
function sortableTable(caption: string, headers: string[], rows: Cell[][], initial: number): HTMLElement {
  const table = h('table', { className: 'cd-table' });
  const tbody = h('tbody');
  let sortCol = initial;
  let desc = true;
  const ths: HTMLElement[] = [];
  const key = (c: Cell): number | string => (typeof c === 'string' ? c.toLowerCase() : c.v);
  const render = (): void => {
    const sorted = [...rows].sort((a, b) => {
      const x = key(a[sortCol]);
      const y = key(b[sortCol]);
      const r = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -r : r;
    });
    clear(tbody);
    for (const r of sorted) tbody.append(h('tr', {}, ...r.map((c, i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, typeof c === 'string' ? c : c.t))));
    ths.forEach((th, i) => th.setAttribute('aria-sort', i === sortCol ? (desc ? 'descending' : 'ascending') : 'none'));
  };
  const head = h(
    'tr',
    {},
    ...headers.map((label, i) => {
      const th = h(
        'th',
        { scope: 'col' },
        h('button', {
          className: 'cd-sort',
          onclick: () => {
            if (sortCol === i) desc = !desc;
            else {
              sortCol = i;
              desc = i !== 0;
            }
            render();
          },
        }, label),
      );
      ths.push(th);
      return th;
    }),
  );
  append(table, h('caption', {}, caption), h('thead', {}, head), tbody);
  render();
  return table;
}
