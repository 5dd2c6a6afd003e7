import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTrace, TraceReader } from '../src/trace/model';
import { layoutLanes, defaultFilter, spanAt, sourceAt, SpanState, type Lane } from './lanes';
import { computeStats } from './stats';

const fixture = (name: string) => parseTrace(readFileSync(new URL(`../test/fixtures/traces/${name}`, import.meta.url), 'utf8'));
const laneIds = (lanes: Lane[]) => lanes.map((l) => l.id);

test('orders thread lanes main, workers, pool threads, queue; tasks nested under their caller', () => {
  const m = fixture('pbkdf2Queue.cdtrace');
  const { lanes, rows } = layoutLanes(m, defaultFilter());
  const threads = lanes.filter((l) => l.group === 'threads').map((l) => l.label);
  assert.deepEqual(threads, ['main', 'worker #1 hash.ts', 'threadpool 1', 'threadpool 2', 'threadpool queue']);
  const tasks = lanes.filter((l) => l.group === 'tasks');
  assert.equal(tasks[0].label, 'hashAll · hashAll.ts:30');
  assert.equal(tasks[0].depth, 0);
  assert.equal(tasks[0].hasChildren, true);
  assert.equal(tasks.filter((l) => l.parentId === tasks[0].id).length, 6);
  assert.ok(tasks.slice(1, 7).every((l) => l.label === 'hashOne · hashAll.ts:15' && l.depth === 1));
  assert.equal(rows[0].kind, 'group');
});

test('shows queued pool jobs on the queue lane and inferred placements with their own state', () => {
  const m = fixture('pbkdf2Queue.cdtrace');
  const { lanes } = layoutLanes(m, defaultFilter());
  const queue = lanes.find((l) => l.id === 'pool:queue')!;
  assert.equal(queue.spans.n, 5); // four pbkdf2 jobs and the fs read waited for a thread
  assert.ok([...queue.spans.state].every((s) => s === SpanState.Queued));
  const states = lanes.filter((l) => l.id.startsWith('pool:') && l.id !== 'pool:queue').flatMap((l) => [...l.spans.state]);
  assert.equal(states.filter((s) => s === SpanState.Inferred).length, 1);
  assert.equal(states.filter((s) => s === SpanState.Running).length, 6);
});

test('hides PROMISE by default, other types and groups on request, and collapses subtrees', () => {
  const m = fixture('fetchLocalhost.cdtrace');
  const f = defaultFilter();
  let l = layoutLanes(m, f);
  assert.ok(!laneIds(l.lanes).includes('type:PROMISE'));
  assert.ok(l.types.includes('PROMISE'));
  assert.ok(laneIds(l.lanes).includes('type:GETADDRINFOREQWRAP'));
  l = layoutLanes(m, { ...f, hiddenTypes: new Set(['PROMISE', 'GETADDRINFOREQWRAP']) });
  assert.ok(!laneIds(l.lanes).includes('type:GETADDRINFOREQWRAP'));
  assert.equal(l.lanes.filter((x) => x.id.startsWith('pool:')).reduce((n, x) => n + x.spans.n, 0), 0);
  l = layoutLanes(m, { ...f, hiddenGroups: new Set(['ops', 'threads']) });
  assert.deepEqual([...new Set(l.lanes.map((x) => x.group))], ['tasks']);
  const mainTask = l.lanes.find((x) => x.label.startsWith('main'))!;
  l = layoutLanes(m, { ...f, collapsed: new Set([mainTask.id]) });
  const shown = l.rows.filter((r) => r.kind === 'lane' && r.lane.group === 'tasks');
  assert.equal(shown.length, 1);
});

test('"only my code" drops operations without a user frame', () => {
  const m = fixture('fetchLocalhost.cdtrace');
  m.ops.get('4242:0:40')!.stack = [];
  const l = layoutLanes(m, { ...defaultFilter(), onlyMyCode: true });
  assert.ok(!laneIds(l.lanes).includes('type:Timeout'));
  assert.ok(laneIds(l.lanes).includes('type:GETADDRINFOREQWRAP'));
});

test('finds the most specific span under a time', () => {
  const m = fixture('fetchLocalhost.cdtrace');
  const main = layoutLanes(m, defaultFilter()).lanes.find((l) => l.id === 'thread:4242:0')!;
  const i = spanAt(main.spans, 1510, 0);
  const src = sourceAt(main, main.spans.src[i]);
  assert.equal(src.kind, 'callback');
  assert.equal(src.kind === 'callback' && src.op.type, 'GETADDRINFOREQWRAP');
  const j = spanAt(main.spans, 1550, 0);
  assert.equal(sourceAt(main, main.spans.src[j]).kind, 'busy');
  assert.equal(spanAt(main.spans, 3000, 10), -1);
});

test('a generated trace lays out the same whether read at once or in pieces split anywhere', async () => {
  const { generateTrace } = await import('../test/webview/generateTrace.mjs');
  const text: string = generateTrace({ spans: 20_000, lanes: 40 });
  const whole = parseTrace(text);
  const reader = new TraceReader();
  // Odd piece sizes cut lines (and the strings of pool job records) at every possible place.
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = 1 + ((k * 7919) % 4093);
    reader.push(text.slice(i, i + n));
    i += n;
  }
  const pieces = reader.finish();
  const dump = (m: typeof whole) => {
    const l = layoutLanes(m, { ...defaultFilter(), hiddenTypes: new Set() });
    return l.lanes.map((lane) => ({
      id: lane.id,
      label: lane.label,
      spans: [...lane.spans.start].join(',') + '|' + [...lane.spans.end].join(',') + '|' + [...lane.spans.state].join(','),
      sources: Array.from({ length: lane.refs.length }, (_, k) => {
        const s = sourceAt(lane, k);
        return s.kind === 'job' || s.kind === 'queued' ? `${s.kind}:${s.job.id}:${s.job.type}:${s.op?.key}` : s.kind;
      }).join(','),
    }));
  };
  assert.equal(whole.problems.length, 0);
  assert.equal(pieces.records, whole.records);
  assert.deepEqual(dump(pieces), dump(whole));
  // Every pool job names the resource that submitted it, and that resource was read.
  const pool = layoutLanes(whole, defaultFilter()).lanes.find((l) => l.id === 'pool:0')!;
  const first = sourceAt(pool, 0);
  assert.ok(first.kind === 'job' && first.op && whole.ops.get(first.op.key) === first.op);
});

test("the runner's own start-up (S records) has a state of its own, not counted as the script's busy time", () => {
  const text = readFileSync(new URL('../test/fixtures/traces/fetchLocalhost.cdtrace', import.meta.url), 'utf8');
  const m = parseTrace(`${text.trimEnd()}\n["@",4242,0]\n["S",1,400,"preload"]\n`);
  const { lanes, start, end } = layoutLanes(m, defaultFilter());
  const main = lanes.find((l) => l.label === 'main')!;
  const runner = [...main.spans.state].map((s, i) => [s, main.spans.start[i], main.spans.end[i]]).filter(([s]) => s === SpanState.Runner);
  assert.deepEqual(runner, [[SpanState.Runner, 1, 400]]);
  // The main lane's busy share is the same with and without the runner's stretch.
  const without = parseTrace(text);
  const l0 = layoutLanes(without, defaultFilter());
  const busy = (ls: Lane[], s: number, e: number) => computeStats(m, ls, s, e).lanes.find((x) => x.label === 'main')!.busyShare * (e - s);
  assert.equal(busy(lanes, start, end), busy(l0.lanes, start, end));
});
