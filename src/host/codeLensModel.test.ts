import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace } from '../trace/model';
import { aggregateByLine, formatDuration, unionLength } from './codeLensModel';

const trace = [
  ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }],
  ['@', 10, 0],
  ['F', 1, '/w/main.ts'],
  ['K', 1, [1, 5, 3, 'main']],
  ['K', 2, [1, 9, 1, 'main']],
  ['Y', 1, 'PBKDF2REQUEST'],
  ['Y', 2, 'PROMISE'],
  ['Y', 3, 'TickObject'],
  ['I', 10, 3, 1, 100, 1],
  // Two pbkdf2 calls on line 5: created at 100, callbacks at 1100 and 2100.
  ['I', 7, 1, 1, 100, 1],
  ['I', 8, 1, 1, 100, 1],
  ['I', 9, 2, 1, 100, 1],
  ['B', 7, 1100],
  ['A', 7, 1150],
  ['B', 8, 2100],
  ['A', 8, 2150],
  // A task called at line 9: waits 300 µs then 200 µs.
  ['N', 1, 0, 0, 2, 'work'],
  ['W', 1, 100],
  ['U', 1, 400],
  ['W', 1, 500],
  ['U', 1, 700],
  ['E', 1, 800, 0],
  ['@', 10, -1],
  ['J', 1, 'PBKDF2REQUEST', 100, 100, 1000, 0, 0, 0, 7],
  ['J', 2, 'PBKDF2REQUEST', 100, 1000, 2000, 0, 1, 0, 8],
]
  .map((r) => JSON.stringify(r))
  .join('\n');

test('aggregates ops, tasks, waiting and queued time by source line; promises and nextTick objects are not counted', () => {
  const idx = aggregateByLine(parseTrace(trace));
  const lines = idx.get('/w/main.ts');
  assert.ok(lines);
  const l5 = lines.get(5);
  assert.deepEqual(l5 && { ops: l5.ops, tasks: l5.tasks, pool: l5.poolJobs, waiting: l5.waitingUs, queued: l5.queuedUs }, {
    ops: 2,
    tasks: 0,
    pool: 2,
    // 100..1100 and 100..2100 overlap: counted once.
    waiting: 2000,
    queued: 900,
  });
  assert.deepEqual(l5?.keys.sort(), ['10:0:7', '10:0:8', 'job:1', 'job:2'].sort());
  const l9 = lines.get(9);
  assert.deepEqual(l9 && { ops: l9.ops, tasks: l9.tasks, waiting: l9.waitingUs, keys: l9.keys }, { ops: 0, tasks: 1, waiting: 500, keys: ['10:0:1'] });
});

test('formats durations compactly', () => {
  assert.equal(formatDuration(850), '850 µs');
  assert.equal(formatDuration(3400), '3.4 ms');
  assert.equal(formatDuration(12_400), '12 ms');
  assert.equal(formatDuration(3_400_000), '3.4 s');
});

test('union of intervals counts overlaps once', () => {
  assert.equal(unionLength([0, 10, 5, 15, 20, 30, 30, 31]), 26);
  assert.equal(unionLength([5, 5, 3, 1]), 0);
  assert.equal(unionLength([]), 0);
});
