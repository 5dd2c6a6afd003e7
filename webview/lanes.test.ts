import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTrace, TraceReader } from '../src/trace/model';
import { layoutLanes, defaultFilter, markAt, MarkKind, spanAt, sourceAt, SpanState, type Lane } from './lanes';
import { describeSpan, followStopNotice, markNote, stackCutNotice } from './spanInfo';
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

/** A main thread whose promises the recorder stopped following at 100 µs (O record), run end at 400. */
const followStopTrace = () =>
  parseTrace(
    [
      '["H",{"format":"concurrency-diagram-trace","version":1,"originNs":"0","originWallMs":0,"writer":"test"}]',
      '["@",10,0]',
      '["T",0,"main","main",10,5]',
      '["Y",1,"PROMISE"]',
      '["Y",2,"Timeout"]',
      '["N",1,0,50,0,"ended"]',
      '["E",1,60,0]',
      '["N",2,0,70,0,"waits"]',
      '["W",2,80]',
      '["I",1500000000,1,0,95,0]',
      '["I",1500000001,1,0,96,0]',
      '["B",1500000001,97]',
      '["I",7,2,0,98,0]',
      '["O",100,1024.5,40000]',
      '["Q",400,{"exitCode":0,"signal":null}]',
    ].join('\n') + '\n',
  );

test('a cut task or PROMISE operation ends at its cut, with a cut mark; the thread lane marks the stop', () => {
  const m = followStopTrace();
  const { lanes, end } = layoutLanes(m, { ...defaultFilter(), hiddenTypes: new Set() });
  assert.equal(end, 400, 'the run still ends at its end');
  const spans = (l: Lane) => [...l.spans.start].map((s, i) => [s, l.spans.end[i], l.spans.state[i]]);
  const waits = lanes.find((l) => l.label.startsWith('waits'))!;
  assert.deepEqual(spans(waits), [[70, 80, SpanState.Running], [80, 100, SpanState.Waiting]]);
  assert.deepEqual(waits.marks, [{ time: 100, kind: MarkKind.Cut, thread: '10:0' }]);
  assert.equal(lanes.find((l) => l.label.startsWith('ended'))!.marks, undefined, 'a task that ended is not marked');
  const promises = lanes.find((l) => l.id === 'type:PROMISE')!;
  assert.deepEqual(spans(promises), [[95, 100, SpanState.Waiting], [96, 100, SpanState.Waiting], [97, 100, SpanState.Running]]);
  assert.deepEqual(promises.marks, [{ time: 100, kind: MarkKind.Cut, thread: '10:0' }], 'one mark for every bar cut at the stop');
  const timeouts = lanes.find((l) => l.id === 'type:Timeout')!;
  assert.deepEqual(spans(timeouts), [[98, 400, SpanState.Waiting]], 'resources still recorded are not cut');
  assert.equal(timeouts.marks, undefined);
  const main = lanes.find((l) => l.id === 'thread:10:0')!;
  assert.deepEqual(main.marks, [{ time: 100, kind: MarkKind.FollowStop, thread: '10:0' }]);
  assert.equal(markAt(main.marks!, 103, 5), main.marks![0]);
  assert.equal(markAt(main.marks!, 110, 5), undefined);
});

test('cut bars, marks and the notice say where and why the runner stopped following, and how to follow everything', () => {
  const m = followStopTrace();
  const { lanes } = layoutLanes(m, { ...defaultFilter(), hiddenTypes: new Set() });
  const waits = lanes.find((l) => l.label.startsWith('waits'))!;
  const note = 'not followed after 0.1 ms: the runner stopped following this thread\'s promises (its stack captures took 1,025 ms)';
  assert.equal(describeSpan(m, waits, 1).cut, note);
  assert.equal(describeSpan(m, lanes.find((l) => l.label.startsWith('ended'))!, 0).cut, undefined);
  const promises = lanes.find((l) => l.id === 'type:PROMISE')!;
  assert.equal(describeSpan(m, promises, 0).cut, note);
  assert.equal(markNote(m, waits.marks![0]), note);
  assert.match(markNote(m, lanes.find((l) => l.id === 'thread:10:0')!.marks![0]), /^At 0\.1 ms the runner stopped following the promises of main: its 40,000 stack captures had taken 1,025 ms/);
  const notice = followStopNotice(m) ?? '';
  assert.match(notice, /^Promises of main not followed after 0\.1 ms: its 40,000 stack captures took 1,025 ms, over the runner's limit; open tasks end at a zigzag\./);
  assert.match(notice, /concurrencyDiagram\.overheadLimit/);
  assert.match(notice, /--no-overhead-limit/);
  assert.equal(followStopNotice(fixture('fetchLocalhost.cdtrace')), undefined);
});

test("an async generator's park at a yield is a state of its own, told from a wait", () => {
  const header = JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '1', originWallMs: 0, writer: 't' }]);
  const m = parseTrace([header, '["@",10,0]', '["T",0,"main","main",10,5]', '["N",4,0,50,0,"numbers"]', '["W",4,60,1]', '["U",4,100]', '["W",4,110]', '["U",4,200]', '["E",4,210,0]'].join('\n') + '\n');
  const { lanes } = layoutLanes(m, defaultFilter());
  const lane = lanes.find((l) => l.group === 'tasks')!;
  assert.deepEqual([...lane.spans.state.slice(0, lane.spans.n)], [SpanState.Running, SpanState.Parked, SpanState.Running, SpanState.Waiting, SpanState.Running]);
  assert.equal(describeSpan(m, lane, 1).state, 'parked at a yield (until the consumer asks for the next value)');
  assert.equal(describeSpan(m, lane, 3).state, 'waiting');
  assert.equal(describeSpan(m, lane, 4).wait, 90, 'the run after an await tells how long it waited');
});

test('the notice of hook calls out of stack names each thread and what is missing', () => {
  const header = JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '1', originWallMs: 0, writer: 't' }]);
  const m = parseTrace([header, '["@",10,0]', '["T",0,"main","main",10,5]', '["G",100,3,1,2,0]', '["G",200,42,1,12,0]', '["@",10,1]', '["T",1,"worker","worker #1",11,6]'].join('\n') + '\n');
  assert.equal(stackCutNotice(m), 'Async work made near the stack limit, where the recorder had no stack left: main: 42 recorder hook call(s) out of stack (12 async operation(s) not recorded, 1 with the source of their trigger)');
  assert.equal(stackCutNotice(fixture('fetchLocalhost.cdtrace')), undefined);
});
