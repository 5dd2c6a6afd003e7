// Benchmark of the diagram page in headless chromium: for generated traces of 10k, 100k and 1M
// bars over 200 lanes, measures the time from the first trace message to the first complete
// paint, the frame time of zoom/pan gestures (wheel events through chartjs-plugin-zoom, and
// programmatic pans), and the JS heap after a GC. Prints a table.
// Usage: node scripts/benchWebview.mjs [--sizes 10000,100000,1000000] [--json]
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import { generateTrace } from '../test/webview/generateTrace.mjs';

const argv = process.argv.slice(2);
const sizeArg = argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : '10000,100000,1000000';
const sizes = sizeArg.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const asJson = argv.includes('--json');

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
          const t0 = performance.now();
          w.postMessage({ type: 'reset', title: 'bench', live: false }, '*');
          for (const c of w.__chunks) w.postMessage({ type: 'traceChunk', text: c }, '*');
          w.postMessage({ type: 'runEnded', exitCode: 0, signal: null, stopped: false, summary: '' }, '*');
          w.__chunks = [];
          const poll = () => {
            const app = w.cdApp;
            if (!app.busy && app.debugInfo().rows.length > 0) requestAnimationFrame(() => resolve(performance.now() - t0));
            else setTimeout(poll, 5);
          };
          setTimeout(poll, 0);
        }),
    );
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
    rows.push({
      spans,
      bars: info.rows.length ? (await page.evaluate(() => globalThis.cdApp.layout.spanCount)) : 0,
      lanes: info.rows.filter((x) => !x.startsWith('# ')).length,
      traceMB: +(text.length / 1e6).toFixed(1),
      firstPaintMs: Math.round(paintMs),
      frameMedianMs: +median(frames.times).toFixed(2),
      frameP95Ms: +pct(frames.times, 0.95).toFixed(2),
      drawMedianMs: +median(frames.draws).toFixed(2),
      heapMB: Math.round(after / 1e6),
      heapBeforeMB: Math.round(before / 1e6),
      heapPeakMB: Math.round(Math.max(peak, after) / 1e6),
    });
    await page.close();
  }
} finally {
  await browser.close();
}

if (asJson) console.log(JSON.stringify(rows, null, 2));
else {
  const cols = [
    ['spans', 'spans asked'],
    ['bars', 'bars laid out'],
    ['lanes', 'lanes'],
    ['traceMB', 'trace MB'],
    ['firstPaintMs', 'first paint ms'],
    ['frameMedianMs', 'frame median ms'],
    ['frameP95Ms', 'frame p95 ms'],
    ['drawMedianMs', 'bar draw median ms'],
    ['heapMB', 'JS heap MB (after GC)'],
    ['heapPeakMB', 'JS heap MB (before GC)'],
  ];
  const table = [cols.map((c) => c[1]), ...rows.map((r) => cols.map((c) => String(r[c[0]])))];
  const widths = cols.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [i, r] of table.entries()) {
    console.log('| ' + r.map((c, j) => c.padStart(widths[j])).join(' | ') + ' |');
    if (i === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  }
  console.log('first paint: from the first trace message to the frame after the complete layout and draw; frame: one zoom');
  console.log('(wheel event through chartjs-plugin-zoom) or pan, synchronous update and draw; heap: performance.memory,');
  console.log('the page holding the whole trace model (the trace text itself is released once read).');
}
