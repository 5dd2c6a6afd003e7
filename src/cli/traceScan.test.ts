import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrace } from '../trace/model';
import { poolFamilyOfType } from '../trace/poolModel';
import { TraceScanner } from './traceScan';

const lines = [
  ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }],
  ['@', 100, 0],
  ['R', { node: 'v20.0.0', platform: 'linux', arch: 'x64', pid: 100, script: '/a.js', args: [], cwd: '/', threadpoolSize: 2, ts: 1 }],
  ['T', 0, 'main', 'main', 100, 1],
  ['Y', 1, 'PROMISE'],
  ['Y', 2, 'FSREQCALLBACK'],
  ['I', 5, 1, 1, 10, 0],
  ['I', 6, 2, 5, 11, 0],
  ['N', 1, 0, 12, 0, 'f'],
  ['W', 1, 13],
  ['B', 5, 14],
  ['A', 5, 15],
  ['B', 6, 20],
  ['A', 6, 21],
  ['B', 6, 30],
  ['D', 6, 31],
  ['U', 1, 32],
  ['E', 1, 33, 0],
  ['!', 'uncaughtException', 34, 'boom', 'Error: boom', 0],
  ['@', 100, 1],
  ['T', 1, 'worker', 'worker #1', 120, 2, '/w.js', 0],
  ['Y', 1, 'GETADDRINFOREQWRAP'],
  ['I', 6, 1, 1, 40, 0],
  ['B', 6, 45],
  ['@', 100, -1],
  ['P', 0, 201, 'node', 'x'],
  ['J', 1, 'FSREQCALLBACK', 11, 11, 20, 0, 1, 0, 6],
  ['J', 1, 'FSREQCALLBACK', 11, 12, 20, 0, 1, 0, 6],
  ['Q', 50, { exitCode: 0, signal: null }],
];
const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

test('the scan agrees with the full reader on what the CLI needs', () => {
  const full = parseTrace(text);
  const scan = new TraceScanner();
  // In odd-sized pieces, as a growing file is read.
  for (let i = 0; i < text.length; i += 37) scan.push(text.slice(i, i + 37));
  const m = scan.result();
  assert.deepEqual(scan.counts, { ops: full.ops.size, tasks: full.tasks.size, errors: full.errors.length });
  assert.deepEqual(m.run, full.run);
  assert.deepEqual(m.end, full.end);
  assert.equal(m.endTs, full.endTs);
  assert.deepEqual([...m.threads.values()], [...full.threads.values()]);
  assert.deepEqual(m.poolThreads, full.poolThreads);
  assert.deepEqual([...m.poolJobs.values()], [...full.poolJobs.values()]);
  const pool = [...full.ops.values()].filter((o) => poolFamilyOfType(o.type));
  assert.deepEqual(
    // Every callback's start (the scan does not read callback ends: `A` records).
    [...m.ops.values()].map((o) => [o.key, o.type, o.created, o.callbacks.filter((_, i) => i % 2 === 0), o.destroyed]),
    pool.map((o) => [o.key, o.type, o.created, o.callbacks.filter((_, i) => i % 2 === 0), o.destroyed]),
  );
  assert.equal(m.ops.size, 2, 'only pool-backed resources are kept');
  assert.equal(m.tasks.size, 0, 'task lanes are counted, not read');
  assert.deepEqual(m.errors.map((e) => e.message), ['boom']);
});

test('a file that is not a trace is refused on its first line', () => {
  assert.throws(() => new TraceScanner().push('hello\n'), /not a Concurrency Diagram trace/);
});
