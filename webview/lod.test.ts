import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRectBuffer, mergeSpans, LodPyramid, NO_FG } from './lod';
import type { SpanTable } from './lanes';

function table(spans: [number, number, number][]): SpanTable {
  const n = spans.length;
  const t: SpanTable = { n, start: new Float64Array(n), end: new Float64Array(n), maxEnd: new Float64Array(n), state: new Uint8Array(n), src: new Int32Array(n) };
  let m = -Infinity;
  spans.forEach(([s, e, st], i) => {
    t.start[i] = s;
    t.end[i] = e;
    t.state[i] = st;
    m = Math.max(m, e);
    t.maxEnd[i] = m;
  });
  return t;
}

test('merges spans closer than a pixel and keeps wide bars apart', () => {
  // 1000 µs over 100 px: 10 µs per pixel.
  const t = table([
    [0, 2, 0],
    [5, 7, 0],
    [9, 12, 1],
    [100, 300, 0],
    [305, 500, 1],
    [900, 1000, 0],
  ]);
  const out = mergeSpans(t, 0, 1000, 100, createRectBuffer(4));
  assert.equal(out.n, 4);
  assert.deepEqual([...out.count.slice(0, out.n)], [3, 1, 1, 1]);
  assert.equal(out.x0[1], 10);
  assert.equal(out.x1[1], 30);
  assert.equal(out.state[2], 1);
  assert.equal(out.x1[3], 100);
});

test('a merged bar keeps its dominant background state and the share of its foreground state', () => {
  const t = table([
    [0, 1, 1],
    [1, 2, 0],
    [2, 9, 2],
  ]);
  const out = mergeSpans(t, 0, 1000, 100, createRectBuffer(1));
  assert.equal(out.n, 1);
  assert.equal(out.state[0], 2);
  assert.equal(out.fg[0], 0);
  assert.ok(Math.abs(out.share[0] - 1 / 9) < 1e-6, String(out.share[0]));
  assert.equal(out.x1[0] - out.x0[0], 1);
  const plain = mergeSpans(table([[0, 1, 0]]), 0, 1000, 100, createRectBuffer(1));
  assert.equal(plain.fg[0], NO_FG);
});

test('summaries keep the running share of a lane that alternates running and waiting', () => {
  // 20 % running, 80 % waiting, in spans far below a pixel.
  const spans: [number, number, number][] = [];
  for (let i = 0; i < 50_000; i++) spans.push([i * 10, i * 10 + 2, 0], [i * 10 + 2, i * 10 + 10, 1]);
  const t = table(spans);
  const pyr = new LodPyramid(t);
  const coarse = pyr.tableFor(500_000 / 500);
  assert.ok(coarse !== t);
  const out = mergeSpans(coarse, 0, 500_000, 500, createRectBuffer(8));
  assert.ok(out.n >= 1 && out.n <= 500);
  for (let k = 0; k < out.n; k++) {
    assert.equal(out.state[k], 1);
    assert.equal(out.fg[k], 0);
    assert.ok(Math.abs(out.share[k] - 0.2) < 0.01, String(out.share[k]));
  }
});

test('clips to the visible range and visits only overlapping spans', () => {
  const t = table([
    [0, 50, 0],
    [40, 5000, 1],
    [60, 70, 0],
    [6000, 7000, 0],
  ]);
  const out = mergeSpans(t, 1000, 2000, 100, createRectBuffer(8));
  assert.equal(out.n, 1);
  assert.equal(out.x0[0], 0);
  assert.equal(out.x1[0], 100);
  assert.equal(out.state[0], 1);
});

test('rectangle count follows pixels, not spans', () => {
  const spans: [number, number, number][] = [];
  for (let i = 0; i < 100_000; i++) spans.push([i * 10, i * 10 + 5, i % 2]);
  const t = table(spans);
  const out = mergeSpans(t, 0, 1_000_000, 800, createRectBuffer(16));
  assert.ok(out.n <= 800, `rects ${out.n}`);
  const pyr = new LodPyramid(t);
  assert.ok(pyr.levels.length > 1);
  const coarse = pyr.tableFor(1_000_000 / 800);
  assert.ok(coarse.n < t.n / 10, `coarse ${coarse.n}`);
  const out2 = mergeSpans(coarse, 0, 1_000_000, 800, createRectBuffer(16));
  assert.ok(out2.n <= 800);
  assert.equal(out2.x0[0], 0);
  assert.equal(pyr.tableFor(1), t);
});
