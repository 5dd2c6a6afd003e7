import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTrace } from '../src/trace/model';
import { layoutLanes, defaultFilter } from './lanes';
import { computeStats } from './stats';
import { searchLanes } from './search';
import { describeSpan, CausalIndex, formatDuration } from './spanInfo';

const fixture = (name: string) => parseTrace(readFileSync(new URL(`../test/fixtures/traces/${name}`, import.meta.url), 'utf8'));

test('statistics: pool queueing, per-type counts, blocked time and longest waits', () => {
  const m = fixture('pbkdf2Queue.cdtrace');
  const l = layoutLanes(m, defaultFilter());
  const s = computeStats(m, l.lanes, l.start, l.end);
  assert.equal(s.poolThreads, 2);
  assert.equal(s.poolQueuedJobs, 5);
  const pb = s.types.find((t) => t.type === 'PBKDF2REQUEST')!;
  assert.equal(pb.count, 6);
  assert.equal(pb.max, 9000);
  assert.equal(pb.mean, 9000);
  assert.ok(pb.maxWait > 9000);
  assert.deepEqual(s.blocked, [{ thread: 'main', total: 24500, count: 1 }]);
  assert.equal(s.longestWaits.length, 10);
  assert.ok(s.longestWaits[0].wait >= s.longestWaits[9].wait);
  const pool1 = s.lanes.find((x) => x.label === 'threadpool 1')!;
  assert.ok(pool1.busyShare > 0.5 && pool1.busyShare <= 1);
});

test('search matches function, file and type, in time order', () => {
  const m = fixture('fetchLocalhost.cdtrace');
  const l = layoutLanes(m, defaultFilter());
  const r = searchLanes(l.lanes, 'getaddrinfo');
  assert.ok(r.matches.length >= 6); // three jobs on the pool, three callbacks on main, the type lane
  assert.ok(r.matches.every((x, i) => i === 0 || r.matches[i - 1].start <= x.start));
  assert.ok(searchLanes(l.lanes, 'FETCHTHING').byLane.has('thread:4242:0'));
  assert.ok(searchLanes(l.lanes, 'app.ts').matches.length > 0);
  assert.equal(searchLanes(l.lanes, '   ').matches.length, 0);
  assert.equal(searchLanes(l.lanes, 'no such thing').matches.length, 0);
});

test('describes a pool job with its source, wait and thread, and walks the causal chain', () => {
  const m = fixture('fetchLocalhost.cdtrace');
  const l = layoutLanes(m, defaultFilter());
  const pool = l.lanes.find((x) => x.id === 'pool:0')!;
  const info = describeSpan(m, pool, 0);
  assert.equal(info.type, 'GETADDRINFOREQWRAP');
  assert.equal(info.thread, 'threadpool 1');
  assert.equal(info.wait, 8);
  assert.equal(info.inferred, true);
  assert.deepEqual(info.stack[0], { file: '/home/dev/proj/app.ts', line: 12, column: 21, fn: 'fetchThing' });
  const c = new CausalIndex(m);
  assert.deepEqual(c.causes(info.key).map((x) => x.key), ['4242:0:10', '4242:0:50']);
  assert.deepEqual(c.effects('4242:0:10').map((x) => x.key), ['job:1', '4242:0:20']);
  assert.equal(formatDuration(1500), '1.50 ms');
  assert.equal(formatDuration(12), '12 µs');
});

test('a task whose promise rejected is marked ✗ in its lane label and its details', () => {
  const text = readFileSync(new URL('../test/fixtures/traces/fetchLocalhost.cdtrace', import.meta.url), 'utf8');
  const m = parseTrace(text.replace('["E",2,6350,0]', '["E",2,6350,1]'));
  const l = layoutLanes(m, defaultFilter());
  const tasks = l.lanes.filter((x) => x.group === 'tasks');
  const failed = tasks.filter((x) => x.label.startsWith('✗ '));
  assert.equal(failed.length, 1, tasks.map((x) => x.label).join(', '));
  assert.equal(describeSpan(m, failed[0], 0).type, 'async task (rejected)');
  const other = tasks.find((x) => !x.label.startsWith('✗ '))!;
  assert.equal(describeSpan(m, other, 0).type, 'async task');
});

test('longest waits leave out the await a task was in when the runner stopped following it: it never ended there', () => {
  const m = fixture('followStop.cdtrace');
  const l = layoutLanes(m, defaultFilter());
  const awaits = computeStats(m, l.lanes, l.start, l.end).longestWaits.filter((w) => w.label.startsWith('await in'));
  // fetchOne #1 and #2 and main's first await ended; main's second await and fetchOne #3 and #4 were cut at 1.3 s.
  assert.deepEqual(awaits.map((w) => [w.key, w.wait]).sort(), [
    ['4242:0:1', 550000],
    ['4242:0:2', 830000],
    ['4242:0:3', 770000],
  ]);
});
