// Benchmark of the diagram page in headless chromium: for generated traces of 10k, 100k and 1M
// bars over 200 lanes, measures the time from the first trace message to the first complete
// paint, the frame time of zoom/pan gestures (wheel events through chartjs-plugin-zoom, and
// programmatic pans), and the JS heap after a GC. Each size is loaded --runs times (default 3), each
// time in a fresh page; the table gives the median of the loads (and the first paint's range), and
// a second table splits the median load's first paint into reading, layout, chart update and DOM.
// Usage: node scripts/benchWebview.mjs [--sizes 10000,100000,1000000] [--runs 3] [--json]
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import { generateTrace } from '../test/webview/generateTrace.mjs';

const argv = process.argv.slice(2);
const sizeArg = argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : '10000,100000,1000000';
const sizes = sizeArg.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const asJson = argv.includes('--json');
const runs = Math.max(1, Number(argv.includes('--runs') ? argv[argv.indexOf('--runs') + 1] : 3) || 3);

const build = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const h = await tsImport('../test/webview/harness.ts', import.meta.url);
// Precise memory info makes performance.memory report exact heap sizes instead of coarse buckets.
const browser = await h.launch(['--enable-precise-memory-info']);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN;
};

const rows = [];
try {
  for (const spans of sizes) {
    const text = generateTrace({ spans, lanes: 200 });
    const loads = [];
    for (let run = 0; run < runs; run++) loads.push(await loadOnce(spans, text));
    // The load with the median first paint stands for the size; the paint range shows the spread.
    const byPaint = [...loads].sort((a, b) => a.firstPaintMs - b.firstPaintMs);
    const mid = byPaint[Math.floor(byPaint.length / 2)];
    rows.push({
      ...mid,
      runs: loads.length,
      firstPaintMs: Math.round(median(loads.map((l) => l.firstPaintMs))),
      firstPaintMinMs: Math.round(byPaint[0].firstPaintMs),
      firstPaintMaxMs: Math.round(byPaint[byPaint.length - 1].firstPaintMs),
      frameMedianMs: +median(loads.map((l) => l.frameMedianMs)).toFixed(2),
      frameP95Ms: +median(loads.map((l) => l.frameP95Ms)).toFixed(2),
      drawMedianMs: +median(loads.map((l) => l.drawMedianMs)).toFixed(2),
      heapMB: median(loads.map((l) => l.heapMB)),
      heapPeakMB: Math.max(...loads.map((l) => l.heapPeakMB)),
    });
  }
} finally {
  await browser.close();
}

/** Loads `text` into a fresh page once; returns its first paint, phases, frame times and heap. */
async function loadOnce(spans, text) {
  const page = await h.openPanel(browser, { width: 1600, height: 900, theme: 'dark' });
  const cdp = await page.context().newCDPSession(page);
  // Hand the text to the page first, in pieces (not timed: in VS Code it arrives over postMessage).
  const CHUNK = 1 << 20;
  await page.evaluate(() => ((globalThis).__chunks = []));
  for (let i = 0; i < text.length; i += 8 * CHUNK) {
    const part = text.slice(i, i + 8 * CHUNK);
    await page.evaluate(({ part, CHUNK }) => {
      for (let j = 0; j < part.length; j += CHUNK) globalThis.__chunks.push(part.slice(j, j + CHUNK));
    }, { part, CHUNK });
  }
  const heap = () => page.evaluate(() => performance.memory.usedJSHeapSize);
  await cdp.send('HeapProfiler.collectGarbage');
  const before = await heap();
  // Time from the first message to the frame after the complete layout and draw.
  const paintMs = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const w = globalThis;
        // Seen after the page's own handler (added later): the layout that follows is of the whole trace.
        let ended = false;
        w.addEventListener('message', (e) => {
          if (e.data?.type === 'runEnded') ended = true;
        });
        const t0 = performance.now();
        w.postMessage({ type: 'reset', title: 'bench', live: false }, '*');
        for (const c of w.__chunks) w.postMessage({ type: 'traceChunk', text: c }, '*');
        w.postMessage({ type: 'runEnded', exitCode: 0, signal: null, stopped: false, summary: '' }, '*');
        w.__chunks = [];
        const poll = () => {
          const app = w.cdApp;
          if (ended && !app.busy && app.debugInfo().rows.length > 0) requestAnimationFrame(() => resolve(performance.now() - t0));
          else setTimeout(poll, 5);
        };
        setTimeout(poll, 0);
      }),
  );
  const phases = await page.evaluate(() => globalThis.cdApp.debugInfo().phases);
  const info = await h.info(page);
  // Zoom/pan: real wheel events over the canvas (the plugin zooms around the pointer) and pans.
  const frames = await page.evaluate(() => {
    const w = globalThis;
    const canvas = document.querySelector('canvas');
    const r = canvas.getBoundingClientRect();
    const times = [];
    const draws = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const wheel = (dy) => {
      const x = r.left + 20 + rnd() * (r.width - 40);
      const y = r.top + 40 + rnd() * (r.height - 60);
      const t = performance.now();
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: dy, clientX: x, clientY: y, bubbles: true, cancelable: true }));
      times.push(performance.now() - t);
      draws.push(w.cdApp.debugInfo().lastDrawMs);
    };
    for (let i = 0; i < 40; i++) wheel(-100);
    const tl = w.cdApp.timeline;
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      tl.panBy(i % 10 < 5 ? 0.05 : -0.05, i % 3 === 0 ? 1 : 0);
      times.push(performance.now() - t);
      draws.push(w.cdApp.debugInfo().lastDrawMs);
    }
    for (let i = 0; i < 40; i++) wheel(100);
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      tl.panBy(i % 2 ? 0.1 : -0.1, 0);
      times.push(performance.now() - t);
      draws.push(w.cdApp.debugInfo().lastDrawMs);
    }
    return { times, draws };
  });
  const peak = await heap();
  await cdp.send('HeapProfiler.collectGarbage');
  const after = await heap();
  const row = {
    spans,
    bars: info.rows.length ? (await page.evaluate(() => globalThis.cdApp.layout.spanCount)) : 0,
    lanes: info.rows.filter((x) => !x.startsWith('# ')).length,
    traceMB: +(text.length / 1e6).toFixed(1),
    firstPaintMs: paintMs,
    // The rest of the first paint: message dispatch, garbage collection, style/layout/paint of the page.
    phases: { ...phases, other: paintMs - phases.read - phases.layout - phases.chart - phases.dom },
    frameMedianMs: +median(frames.times).toFixed(2),
    frameP95Ms: +pct(frames.times, 0.95).toFixed(2),
    drawMedianMs: +median(frames.draws).toFixed(2),
    heapMB: Math.round(after / 1e6),
    heapBeforeMB: Math.round(before / 1e6),
    heapPeakMB: Math.round(Math.max(peak, after) / 1e6),
  };
  await page.close();
  return row;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  printTable(
    [
      ['spans asked', (r) => fmt(r.spans)],
      ['bars laid out', (r) => fmt(r.bars)],
      ['lanes', (r) => String(r.lanes)],
      ['trace MB', (r) => String(r.traceMB)],
      ['loads', (r) => String(r.runs)],
      ['first paint ms (median)', (r) => fmt(r.firstPaintMs)],
      ['first paint range ms', (r) => `${fmt(r.firstPaintMinMs)}–${fmt(r.firstPaintMaxMs)}`],
      ['frame median ms', (r) => String(r.frameMedianMs)],
      ['frame p95 ms', (r) => String(r.frameP95Ms)],
      ['bar draw median ms', (r) => String(r.drawMedianMs)],
      ['JS heap MB after GC', (r) => String(r.heapMB)],
      ['JS heap MB peak', (r) => String(r.heapPeakMB)],
    ],
    rows,
  );
  console.log('first paint: from the first trace message to the frame after the complete layout and draw, median over the');
  console.log('loads (each in a fresh page); frame: one zoom (wheel event through chartjs-plugin-zoom) or pan, synchronous');
  console.log('update and draw, median of the loads\' medians; heap: performance.memory, the page holding the whole trace model');
  console.log('(the trace text itself is released once read).');
  console.log('');
  console.log('Where the first paint of the median load went (ms):');
  printTable(
    [
      ['spans asked', (r) => fmt(r.spans)],
      ['first paint', (r) => fmt(r.firstPaintMs)],
      ['read trace', (r) => fmt(r.phases.read)],
      ['lane layout', (r) => fmt(r.phases.layout)],
      ['chart update + draw', (r) => fmt(r.phases.chart)],
      ['labels, details, summary', (r) => fmt(r.phases.dom)],
      ['other (dispatch, GC, style, paint)', (r) => fmt(r.phases.other)],
    ],
    rows,
  );
}

/** Prints `rows` as a Markdown table with the given columns. */
function printTable(cols, rows) {
  const table = [cols.map((c) => c[0]), ...rows.map((r) => cols.map((c) => c[1](r)))];
  const widths = cols.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [i, r] of table.entries()) {
    console.log('| ' + r.map((c, j) => c.padStart(widths[j])).join(' | ') + ' |');
    if (i === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 1) + ':').join('|') + '|');
  }
}
