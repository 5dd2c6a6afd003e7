import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYNTHETIC_TID_BASE, toChromeTrace, type ChromeTraceEvent } from './chromeExport';
import { parseTrace } from './model';

const PID = 100;
const lines = [
  ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }],
  ['@', PID, 0],
  ['R', { node: 'v20.0.0', platform: 'linux', arch: 'x64', pid: PID, script: '/app/main.ts', args: [], cwd: '/app', threadpoolSize: 2, ts: 1 }],
  ['T', 0, 'main', 'main', PID, 1],
  ['F', 1, '/app/main.ts'],
  ['K', 1, [1, 12, 5, 'fetchThing', 1, 20, 1, '']],
  ['Y', 1, 'PBKDF2REQUEST'],
  ['I', 9, 1, 1, 10, 1],
  ['B', 9, 80],
  ['A', 9, 85],
  ['N', 1, 0, 5, 1, 'fetchThing'],
  ['W', 1, 8],
  ['U', 1, 80],
  ['E', 1, 90, 0],
  ['Z', 20, 45, 1],
  ['@', PID, 1],
  ['T', 1, 'worker', 'worker #1 hash.ts', 120, 3, '/app/hash.ts', 0],
  ['@', PID, -1],
  ['P', 0, 201, 'node', '/proc/100/task'],
  ['P', 1, 0, 'pool', 'inferred'],
  ['J', 1, 'PBKDF2REQUEST', 11, 12, 70, 0, 0, 0, 9],
  ['J', 2, 'fs.open', 13, 70, 75, 1, 1, -1, -1],
  ['Q', 95, { exitCode: 0, signal: null }],
];
const model = parseTrace(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
const ct = toChromeTrace(model);
const names = new Map(ct.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name)]));
const on = (tid: number) => ct.traceEvents.filter((e) => e.tid === tid && e.ph === 'X');

test('every lane is a (pid, tid) with a thread_name: main, worker, threadpool, task', () => {
  assert.equal(names.get(PID), 'main');
  assert.equal(names.get(120), 'worker #1 hash.ts');
  assert.equal(names.get(201), 'threadpool 1');
  const unknownPool = [...names].find(([, n]) => n.startsWith('threadpool 2'));
  assert.ok(unknownPool && unknownPool[0] >= SYNTHETIC_TID_BASE, 'a pool thread without an OS id gets a synthetic tid');
  const task = [...names].find(([, n]) => n.startsWith('task fetchThing'));
  assert.deepEqual(task?.[1], 'task fetchThing · main.ts:12');
  for (const e of ct.traceEvents) assert.equal(e.pid, PID);
  const [proc] = ct.traceEvents.filter((e) => e.name === 'process_name');
  assert.equal(proc.args?.name, 'node main.ts', 'viewers add the pid themselves');
});

test('operations are complete events on their thread with args.type and args.source', () => {
  const [cb] = on(PID);
  assert.deepEqual(cb, { ph: 'X', name: 'PBKDF2REQUEST', cat: 'async', pid: PID, tid: PID, ts: 80, dur: 5, args: { type: 'PBKDF2REQUEST', asyncId: 9, source: '/app/main.ts:12:5', trigger: `${PID}:0:1` } });
});

test('pool jobs on their pool lane, inferred flag and queued time exported', () => {
  const [exact] = on(201);
  assert.equal(exact.name, 'PBKDF2REQUEST');
  assert.equal(exact.args?.inferred, false);
  assert.equal(exact.args?.source, '/app/main.ts:12:5');
  assert.equal(exact.ts, 12);
  assert.equal(exact.dur, 58);
  const inferredTid = [...names].find(([, n]) => n.startsWith('threadpool 2'))?.[0] as number;
  const [inf] = on(inferredTid);
  assert.equal(inf.args?.inferred, true);
  assert.equal(inf.cat, 'threadpool,inferred');
  const queued = ct.traceEvents.filter((e) => e.cat === 'threadpool.queue');
  assert.deepEqual(queued.map((e: ChromeTraceEvent) => [e.ph, e.name, e.ts, e.id]), [
    ['b', 'queued PBKDF2REQUEST', 11, 'job1'],
    ['e', 'queued PBKDF2REQUEST', 12, 'job1'],
    ['b', 'queued fs.open', 13, 'job2'],
    ['e', 'queued fs.open', 70, 'job2'],
  ]);
});

test('task lanes carry running and waiting segments', () => {
  const tid = [...names].find(([, n]) => n.startsWith('task fetchThing'))?.[0] as number;
  assert.deepEqual(on(tid).map((e) => [e.name, e.args?.state, e.ts, e.dur]), [
    ['fetchThing', 'running', 5, 3],
    ['fetchThing (waiting)', 'waiting', 8, 72],
    ['fetchThing', 'running', 80, 10],
  ]);
});

test('blocked stretches on a lane of their own; the run end as an instant', () => {
  const blocked = ct.traceEvents.filter((e) => e.name === 'event loop blocked');
  assert.equal(blocked.length, 1);
  assert.equal(names.get(blocked[0].tid), 'main · event loop blocked');
  assert.equal(blocked[0].args?.source, '/app/main.ts:12:5');
  const [end] = ct.traceEvents.filter((e) => e.name === 'run end');
  assert.deepEqual([end?.ph, end?.s, end?.tid], ['I', 'p', PID], 'an instant on the main thread\'s lane');
  assert.ok(!ct.traceEvents.some((e) => e.tid === 0 && e.ph !== 'M'), 'no event on a tid without a name');
  assert.equal(JSON.parse(JSON.stringify(ct)).traceEvents.length, ct.traceEvents.length);
});

test('a stop of following promises: an instant on its thread, cut tasks and PROMISE operations end there with args.cut', () => {
  const cutLines = [
    ...lines.slice(0, 4),
    ['Y', 2, 'PROMISE'],
    ['N', 1, 0, 5, 0, 'loop'],
    ['W', 1, 8],
    ['I', 1500000000, 2, 0, 9, 0],
    ['B', 1500000000, 20],
    ['N', 2, 0, 21, 0, 'done'],
    ['E', 2, 22, 0],
    ['O', 30, 1024.5, 40000],
    ['Q', 95, { exitCode: 0, signal: null }],
  ];
  const c = toChromeTrace(parseTrace(cutLines.map((l) => JSON.stringify(l)).join('\n') + '\n'));
  const [stop] = c.traceEvents.filter((e) => e.name === 'runner stopped following promises');
  assert.deepEqual(stop, { ph: 'I', s: 't', name: 'runner stopped following promises', cat: 'runner', pid: PID, tid: PID, ts: 30, args: { captureMs: 1024.5, captures: 40000 } });
  const tasks = c.traceEvents.filter((e) => e.ph === 'X' && e.cat?.startsWith('task'));
  assert.deepEqual(tasks.map((e) => [e.name, e.ts, e.dur, e.args?.cut]), [
    ['loop', 5, 3, true],
    ['loop (waiting)', 8, 22, true],
    ['done', 21, 1, undefined],
  ]);
  const [promise] = c.traceEvents.filter((e) => e.ph === 'X' && e.name === 'PROMISE');
  assert.deepEqual([promise.ts, promise.dur, promise.args?.cut], [20, 10, true]);
});

test("an async generator's park at a yield is a segment of its lane with args.state yielded", () => {
  const gen = parseTrace(
    [...lines.slice(0, 6), ['N', 2, 0, 5, 1, 'numbers'], ['W', 2, 8, 1], ['U', 2, 30], ['W', 2, 40], ['U', 2, 60], ['E', 2, 70, 0], lines[lines.length - 1]].map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  const events = toChromeTrace(gen).traceEvents.filter((e) => e.ph === 'X' && e.args?.task === `${PID}:0:2`);
  assert.deepEqual(
    events.map((e) => [e.name, e.args?.state, e.ts, e.dur]),
    [
      ['numbers', 'running', 5, 3],
      ['numbers (yielded)', 'yielded', 8, 22],
      ['numbers', 'running', 30, 10],
      ['numbers (waiting)', 'waiting', 40, 20],
      ['numbers', 'running', 60, 10],
    ],
  );
});
