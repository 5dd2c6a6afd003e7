import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoopMonitor, MERGE_GAP_US } from './loopMonitor';
import type { TraceWriter } from './traceWriter';

/** A writer that keeps the records it is given. */
function recordingWriter(): { out: TraceWriter; records: (number | string)[][] } {
  const records: (number | string)[][] = [];
  const out = {
    rec2: (tag: number, a: number, b: number) => records.push([tag, a, b]),
    rec3: (tag: number, a: number, b: number, c: number) => records.push([tag, a, b, c]),
    write: (line: string) => records.push(JSON.parse(line) as (number | string)[]),
  } as unknown as TraceWriter;
  return { out, records };
}

const L = 'L'.charCodeAt(0);
const Z = 'Z'.charCodeAt(0);

test('merges runs closer than the gap into one busy stretch, splits at idle time', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 1);
  m.enter(5, 2); // nested: same run
  m.exit(8);
  m.exit(10);
  m.enter(10 + MERGE_GAP_US, 3);
  m.exit(300);
  m.enter(5_000, 4);
  m.exit(5_100);
  m.finish(6_000);
  assert.deepEqual(records, [
    [L, 0, 300],
    [L, 5_000, 5_100],
  ]);
});

test('flags one run longer than the threshold with its source, and a run still going at the end', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 7);
  m.exit(50_000);
  m.flushIdle(60_000);
  m.enter(70_000, 9);
  m.finish(95_000);
  assert.deepEqual(records, [
    [Z, 0, 50_000, 7],
    [L, 0, 50_000],
    [Z, 70_000, 95_000, 9],
    [L, 70_000, 95_000],
  ]);
});

test('a run entered without a source takes the first one named in it; a run with one keeps it', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 0);
  m.enter(1_000, 0); // nested: the outermost run is named
  m.nameUnknownRun(5);
  m.exit(2_000);
  m.nameUnknownRun(6);
  m.exit(20_000);
  m.enter(30_000, 8);
  m.nameUnknownRun(5);
  m.exit(50_000);
  m.nameUnknownRun(7); // no run in progress: nothing to name
  m.finish(60_000);
  assert.deepEqual(records, [
    [Z, 0, 20_000, 5],
    [L, 0, 20_000],
    [Z, 30_000, 50_000, 8],
    [L, 30_000, 50_000],
  ]);
});

test('the runner\'s work inside a run is an S record, cut out of the busy stretch and of the blocking check', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 1);
  // A 600 ms compile in the middle of the script's top level, which itself ran 2 + 3 ms.
  m.runnerWork(2_000, 602_000, 'TypeScript compile');
  m.exit(605_000);
  m.finish(700_000);
  assert.deepEqual(records, [
    [L, 0, 2_000],
    ['S', 2_000, 602_000, 'TypeScript compile'],
    [L, 602_000, 605_000],
  ]);
});

test('the script\'s own blocking before and after the runner\'s work is still flagged, each part on its own', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 4);
  m.runnerWork(20_000, 30_000, 'preload');
  m.exit(45_000);
  m.finish(50_000);
  assert.deepEqual(records, [
    [Z, 0, 20_000, 4],
    [L, 0, 20_000],
    ['S', 20_000, 30_000, 'preload'],
    [Z, 30_000, 45_000, 4],
    [L, 30_000, 45_000],
  ]);
});

test('runner work while the loop is idle closes the open busy stretch first', () => {
  const { out, records } = recordingWriter();
  const m = new LoopMonitor(out, 10_000);
  m.enter(0, 1);
  m.exit(100);
  m.runnerWork(150, 900, 'TypeScript compile');
  m.enter(950, 2);
  m.exit(1_000);
  m.finish(2_000);
  assert.deepEqual(records, [
    [L, 0, 100],
    ['S', 150, 900, 'TypeScript compile'],
    [L, 950, 1_000],
  ]);
});
