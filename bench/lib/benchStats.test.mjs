// Smoke tests of the benchmark harness's pure helpers. Run: node --test bench/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorSummary, median, ratio, verdict, formatRatio, formatBytes, formatCount, formatTable, parseBenchArgs } from './benchStats.mjs';
import { TagTally } from './traceStats.mjs';
import { summarizeProfile, originOf } from './cpuProfile.mjs';

test('median of odd and even lists, without reordering the input', () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('ratio and verdict against a target', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(3, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 2)));
  assert.equal(verdict(1.04, 1.05), 'PASS');
  assert.equal(verdict(2.004, 2.0), 'PASS');
  assert.equal(verdict(2.01, 2.0), 'MISS');
  assert.equal(verdict(1.5, undefined), '–');
  assert.equal(verdict(NaN, 2), '–');
});

test('formatting of ratios, bytes and counts', () => {
  assert.equal(formatRatio(1.234), '1.23×');
  assert.equal(formatRatio(NaN), '–');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MB');
  assert.equal(formatCount(1234567), '1,234,567');
});

test('formatTable pads columns and escapes pipes', () => {
  const t = formatTable(['a', 'bb'], [['x|y', '1']]).split('\n');
  assert.equal(t.length, 3);
  assert.equal(t[0], '| a    | bb  |');
  assert.equal(t[1], '| ---- | --- |');
  assert.equal(t[2], '| x\\|y | 1   |');
});

test('parseBenchArgs: defaults, options, and clear errors', () => {
  const d = parseBenchArgs([]);
  assert.equal(d.runs, 5);
  assert.deepEqual(d.only, ['W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6']);
  assert.equal(d.clinic, true);
  assert.equal(d.floor, false);
  assert.equal(parseBenchArgs(['--floor']).floor, true);
  const o = parseBenchArgs(['--runs', '7', '--only', 'w3,W1']);
  assert.equal(o.runs, 7);
  assert.deepEqual(o.only, ['W1', 'W3']);
  const q = parseBenchArgs(['--quick']);
  assert.equal(q.runs, 3);
  assert.equal(q.clinic, false);
  assert.equal(parseBenchArgs(['--quick', '--runs', '2']).runs, 2);
  assert.equal(parseBenchArgs(['--runs', '6', '--clinic-runs', '2']).clinicRuns, 2);
  assert.equal(parseBenchArgs(['--runs', '6']).clinicRuns, 6);
  assert.throws(() => parseBenchArgs(['--runs', '0']), /--runs must be a positive integer, got "0"/);
  assert.throws(() => parseBenchArgs(['--runs']), /option --runs needs a value/);
  assert.throws(() => parseBenchArgs(['--only', 'W9']), /unknown workload W9/);
  assert.throws(() => parseBenchArgs(['--fast']), /unknown option "--fast"/);
});

test('TagTally counts records per tag across chunk boundaries and ignores a torn last line', () => {
  const t = new TagTally();
  t.push('["H",{}]\n["@",1,0]\n["I",1,');
  t.push('2,0,5,0]\n["B",1,6]\n["A",1,7]\n["D",1');
  t.finish();
  assert.equal(t.records, 5);
  assert.deepEqual({ ...t.counts }, { H: 1, '@': 1, I: 1, B: 1, A: 1 });
  assert.equal(t.bytes.I, '["I",1,2,0,5,0]\n'.length);
  assert.equal(t.totalBytes, '["H",{}]\n["@",1,0]\n["I",1,2,0,5,0]\n["B",1,6]\n["A",1,7]\n'.length);
});

test('summarizeProfile attributes self time to functions and origins', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: 'onInit', url: 'file:///x/dist/runner/preload.js', lineNumber: 9 } },
      { id: 3, callFrame: { functionName: 'leaf', url: 'file:///x/bench/workloads/w1.mjs', lineNumber: 2 } },
      { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    samples: [2, 2, 3, 4],
    timeDeltas: [0, 1000, 1000, 1000],
  };
  const s = summarizeProfile(profile);
  assert.equal(s.byOrigin.runner, 2);
  assert.equal(s.byOrigin.script, 1);
  assert.equal(s.byOrigin.gc ?? 0, 0); // the last sample has no following delta
  assert.equal(s.top[0].name, 'onInit');
  assert.equal(s.top[0].where, 'preload.js:10');
  assert.equal(originOf({ functionName: 'emit', url: 'node:events', lineNumber: 1 }, 'dist/runner/'), 'node');
});

test('errorSummary groups the reasons of failed runs, most frequent first', () => {
  const runs = [{ error: 'failed (exit 1): Error: premature close; output so far 633.0 MB' }, { error: 'failed (exit 1): TypeError: fetch failed' }, { error: 'failed (exit 1): Error: premature close; output so far 371.2 MB' }, {}];
  assert.equal(errorSummary(runs), 'failed (exit 1): Error: premature close (2 of 4); failed (exit 1): TypeError: fetch failed (1 of 4)');
  assert.equal(errorSummary([{ error: 'x' }]), 'x');
  assert.equal(errorSummary([{}]), 'no runs');
});
