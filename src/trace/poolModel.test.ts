import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrace, type PoolJob } from './model';
import { buildPool, maxConcurrentJobs, poolFamilyOfType, queuedJobIds, type NodeTraceEvent } from './poolModel';

const PID = 100;
const ASYNC = 'node,node.threadpoolwork,node.threadpoolwork.async';
const SYNC = 'node,node.threadpoolwork,node.threadpoolwork.sync';

/** A trace with a main thread (OS tid = pid) and the given records under its context. */
function model(records: unknown[][] = []) {
  const lines = [
    ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }],
    ['@', PID, 0],
    ['T', 0, 'main', 'main', PID, 0],
    ...records,
  ];
  return parseTrace(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/**
 * Node's trace events of pool jobs named `name`, run one after another on OS thread 201: the i-th
 * submitted on the main thread at `submits[i]`, run over `runs[i]` ([start, end]), and with `seen`
 * its completion seen by the main thread at `seen[i]`.
 */
function jobEvents(name: string, submits: number[], runs: [number, number][], seen: number[] = []): NodeTraceEvent[] {
  const ev: NodeTraceEvent[] = submits.map((ts, i) => ({ ph: 'b', cat: ASYNC, name, ts, tid: PID, id: `0x${i}` }));
  for (const [start, end] of runs) ev.push({ ph: 'B', cat: SYNC, name, ts: start, tid: 201 }, { ph: 'E', cat: SYNC, name, ts: end, tid: 201 });
  seen.forEach((ts, i) => ev.push({ ph: 'e', cat: ASYNC, name, ts, tid: PID, id: `0x${i}` }));
  return ev;
}

function asJobs(records: unknown[][]): PoolJob[] {
  return records.map((r) => ({ id: r[1], type: r[2], submit: r[3], start: r[4], end: r[5], poolIndex: r[6], inferred: r[7] === 1 }) as PoolJob);
}

test('crypto jobs: exact thread and interval from sync events, paired with submissions in FIFO order', () => {
  const ev: NodeTraceEvent[] = [
    ...[0, 1, 2, 3].map((ts, i) => ({ ph: 'b', cat: ASYNC, name: 'crypto', ts, tid: PID, id: `0x${i}` })),
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 5, tid: 201 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 6, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 50, tid: 201 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 51, tid: 201 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 60, tid: 202 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 61, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 95, tid: 201 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 120, tid: 202 },
  ];
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: model(), endTs: 200 });
  assert.deepEqual(r.threads.map((t) => t[2]), [201, 202]);
  assert.deepEqual(r.jobs, [
    ['J', 1, 'crypto', 0, 5, 50, 0, 0, -1, -1],
    ['J', 2, 'crypto', 1, 6, 60, 1, 0, -1, -1],
    ['J', 3, 'crypto', 2, 51, 95, 0, 0, -1, -1],
    ['J', 4, 'crypto', 3, 61, 120, 1, 0, -1, -1],
  ]);
  assert.deepEqual([...queuedJobIds(asJobs(r.jobs))].sort(), [3, 4]);
});

test('crypto jobs link to the PBKDF2REQUEST resources created just before their submission', () => {
  const m = model([
    ['Y', 1, 'PBKDF2REQUEST'],
    ['I', 7, 1, 1, 0, 0],
    ['I', 8, 1, 1, 1, 0],
  ]);
  const ev = jobEvents('crypto', [0, 1], [[2, 10], [11, 20]]);
  const r = buildPool({ pid: PID, poolSize: 1, events: ev, model: m, endTs: 30 });
  assert.deepEqual(r.jobs.map((j) => [j[2], j[8], j[9]]), [
    ['PBKDF2REQUEST', 0, 7],
    ['PBKDF2REQUEST', 0, 8],
  ]);
});

/** Records of pool-backed resources of one type: created at `created[i]`, first callback at `done[i]`. */
function resources(type: string, created: number[], done: number[]): unknown[][] {
  const out: unknown[][] = [['Y', 1, type]];
  created.forEach((t, i) => out.push(['I', 10 + i, 1, 1, t, 0], ['B', 10 + i, done[i]], ['A', 10 + i, done[i] + 1]));
  return out;
}

test('fs jobs are placed by the FIFO model over N threads, marked inferred, never more than N at once', () => {
  const m = model(resources('FSREQCALLBACK', [0, 1, 2, 3, 4, 5], [100, 110, 120, 130, 140, 150]));
  const r = buildPool({ pid: PID, poolSize: 2, events: [], model: m, endTs: 500 });
  assert.equal(r.threads.length, 2);
  for (const t of r.threads) assert.equal(t[2], 0, 'no OS evidence: thread id unknown');
  const jobs = asJobs(r.jobs);
  assert.equal(jobs.length, 6);
  for (const j of jobs) {
    assert.equal(j.inferred, true);
    assert.equal(j.type, 'FSREQCALLBACK');
    assert.ok(j.start >= j.submit && j.end >= j.start);
  }
  assert.equal(maxConcurrentJobs(jobs), 2);
  // The first two start at once; each later one waits for a thread.
  assert.deepEqual(jobs.map((j) => j.start), [0, 1, 100, 110, 120, 130]);
});

test('a completion seen before the modelled thread is free cuts the earlier inferred job short', () => {
  const m = model(resources('FSREQPROMISE', [0, 1], [100, 5]));
  const r = buildPool({ pid: PID, poolSize: 1, events: [], model: m, endTs: 200 });
  const jobs = asJobs(r.jobs);
  assert.equal(maxConcurrentJobs(jobs), 1);
  for (const j of jobs) assert.ok(j.start >= j.submit && j.end >= j.start);
});

/** Lane-by-lane overlaps of placed jobs: pairs `id1/id2` of jobs that run at once on one lane. */
function laneOverlaps(jobs: PoolJob[]): string[] {
  const out: string[] = [];
  for (const a of jobs) for (const b of jobs) if (a.id < b.id && a.poolIndex === b.poolIndex && a.start < b.end && b.start < a.end) out.push(`${a.id}/${b.id}`);
  return out;
}

test('exact and inferred jobs together: the inferred ones wait in the FIFO queue behind the exact ones, never overlap them', () => {
  // Pool of 2 (OS threads 201, 202): three pbkdf2 submitted at 0, 1, 2 and reported on their
  // threads, then a stat submitted at 3 while both threads are busy, its completion seen at 64.
  const ev: NodeTraceEvent[] = [
    ...[0, 1, 2].map((ts, i) => ({ ph: 'b', cat: ASYNC, name: 'crypto', ts, tid: PID, id: `0x${i}` })),
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 5, tid: 201 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 6, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 50, tid: 201 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 51, tid: 201 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 60, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 95, tid: 201 },
  ];
  const m = model([['Y', 1, 'FSREQCALLBACK'], ['I', 10, 1, 1, 3, 0], ['B', 10, 64], ['A', 10, 65]]);
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 200 });
  const jobs = asJobs(r.jobs);
  // [id, type, submit, start, end, lane, inferred]
  assert.deepEqual(
    r.jobs.map((j) => [j[1], j[2], j[3], j[4], j[5], j[6], j[7]]),
    [
      [1, 'crypto', 0, 5, 50, 0, 0],
      [2, 'crypto', 1, 6, 60, 1, 0],
      [3, 'crypto', 2, 51, 95, 0, 0],
      // Behind the third pbkdf2 in the queue: the first thread free after it started is 202, at 60.
      [4, 'FSREQCALLBACK', 3, 60, 64, 1, 1],
    ],
  );
  assert.equal(maxConcurrentJobs(jobs), 2);
  assert.deepEqual(laneOverlaps(jobs), []);
  assert.deepEqual([...queuedJobIds(jobs)].sort(), [3, 4]);
});

test('an inferred job submitted before an exact one started no later than it, and ended before its thread took it', () => {
  // Pool of 2: a pbkdf2 on 201 from 2 to 100; a stat submitted at 1 (seen done at 30); a second
  // pbkdf2 submitted at 5 that thread 202 took at 6. FIFO: the stat was taken first, so by 202
  // (201 was busy), between 2 (after the first pbkdf2 started) and 6.
  const ev: NodeTraceEvent[] = [
    { ph: 'b', cat: ASYNC, name: 'crypto', ts: 0, tid: PID, id: '0x0' },
    { ph: 'b', cat: ASYNC, name: 'crypto', ts: 5, tid: PID, id: '0x1' },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 2, tid: 201 },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 6, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 40, tid: 202 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 100, tid: 201 },
  ];
  const m = model([['Y', 1, 'FSREQCALLBACK'], ['I', 10, 1, 1, 1, 0], ['B', 10, 30], ['A', 10, 31]]);
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 200 });
  const jobs = asJobs(r.jobs);
  assert.deepEqual(
    r.jobs.map((j) => [j[2], j[3], j[4], j[5], j[6], j[7]]),
    [
      ['crypto', 0, 2, 100, 0, 0],
      ['FSREQCALLBACK', 1, 2, 6, 1, 1],
      ['crypto', 5, 6, 40, 1, 0],
    ],
  );
  assert.equal(maxConcurrentJobs(jobs), 2);
  assert.deepEqual(laneOverlaps(jobs), []);
});

test('queue order of an exact job is its resource\'s creation: a trace event stamped after a later resource still comes first', () => {
  // Pool of 1: the PBKDF2REQUEST resource is created at 2 and the stat's at 3, but Node stamps the
  // pbkdf2's submission at 4. The pbkdf2 runs 5..50; the stat, behind it in the queue, after it.
  const m = model([['Y', 1, 'PBKDF2REQUEST'], ['I', 7, 1, 1, 2, 0], ['Y', 2, 'FSREQCALLBACK'], ['I', 10, 2, 1, 3, 0], ['B', 10, 60], ['A', 10, 61]]);
  const ev = jobEvents('crypto', [4], [[5, 50]]);
  const r = buildPool({ pid: PID, poolSize: 1, events: ev, model: m, endTs: 100 });
  // [type, submit, start, end, inferred]
  assert.deepEqual(
    r.jobs.map((j) => [j[2], j[3], j[4], j[5], j[7]]),
    [
      ['PBKDF2REQUEST', 4, 5, 50, 0],
      ['FSREQCALLBACK', 3, 50, 60, 1],
    ],
  );
  assert.deepEqual([...queuedJobIds(asJobs(r.jobs))], [2]);
});

test('two inferred jobs queued behind an exact one share the time up to the second completion', () => {
  // Pool of 1: a pbkdf2 from 1 to 50; stats submitted at 2 and 3, seen done at 100 and 60. The
  // second completion proves the first stat ended before 60: the two split 50..60.
  const ev = jobEvents('crypto', [0], [[1, 50]]);
  const m = model(resources('FSREQCALLBACK', [2, 3], [100, 60]));
  const r = buildPool({ pid: PID, poolSize: 1, events: ev, model: m, endTs: 200 });
  const jobs = asJobs(r.jobs);
  assert.deepEqual(
    r.jobs.map((j) => [j[3], j[4], j[5], j[7]]),
    [
      [0, 1, 50, 0],
      [2, 50, 55, 1],
      [3, 55, 60, 1],
    ],
  );
  assert.equal(maxConcurrentJobs(jobs), 1);
  assert.deepEqual(laneOverlaps(jobs), []);
  assert.deepEqual([...queuedJobIds(jobs)].sort(), [2, 3]);
});

test('getaddrinfo becomes a GETADDRINFOREQWRAP job of its resource: submitted when created, done at its callback', () => {
  const m = model([['Y', 3, 'GETADDRINFOREQWRAP'], ['I', 42, 3, 1, 10, 0], ['B', 42, 30], ['A', 42, 31]]);
  const r = buildPool({ pid: PID, poolSize: 4, events: [], model: m, endTs: 40 });
  assert.equal(r.threads.length, 4);
  assert.deepEqual(r.jobs, [['J', 1, 'GETADDRINFOREQWRAP', 10, 10, 30, 0, 1, 0, 42]]);
});

test('Node 26: a readFile reported by trace events is one exact job of its FSREQCALLBACK, not also an inferred one', () => {
  // Two readFiles (resources 10 and 12, each reported as one `fs.readfile` pool job) and a stat
  // between them (resource 11, which Node does not report): three jobs, two exact, one inferred.
  const m = model(resources('FSREQCALLBACK', [0, 3, 5], [40, 45, 50]));
  const ev = jobEvents('fs.readfile', [1, 6], [[2, 20], [21, 30]], [39, 49]);
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 60 });
  assert.equal(r.threads.length, 2);
  // [type, submit, start, end, inferred, asyncId]
  assert.deepEqual(
    r.jobs.map((j) => [j[2], j[3], j[4], j[5], j[7], j[9]]),
    [
      ['FSREQCALLBACK', 1, 2, 20, 0, 10],
      ['FSREQCALLBACK', 3, 3, 45, 1, 11],
      ['FSREQCALLBACK', 6, 21, 30, 0, 12],
    ],
  );
  assert.ok(maxConcurrentJobs(asJobs(r.jobs)) <= 2);
});

test('Node 20: pool threads are the newest tids listed by the first sample after the first pool use', () => {
  const osThreads = [
    { tid: PID, comm: 'node', firstSeen: 0, lastSeen: 90 },
    ...[101, 102, 103, 104, 105, 106].map((tid) => ({ tid, comm: 'node', firstSeen: 0, lastSeen: 90 })),
    { tid: 110, comm: 'node', firstSeen: 20, lastSeen: 90 },
    { tid: 111, comm: 'node', firstSeen: 20, lastSeen: 90 },
    // A Worker's thread (known from its T record) is never a pool thread.
    { tid: 120, comm: 'node', firstSeen: 40, lastSeen: 90 },
  ];
  const m = model([...resources('FSREQCALLBACK', [15], [25]), ['T', 1, 'worker', 'worker #1', 120, 35, '/w.js', 0]]);
  const ev: NodeTraceEvent[] = [];
  const sampleTimes = [0, 10, 20, 30, 40, 90];
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, osThreads, sampleTimes, osThreadSource: '/proc/100/task', model: m, endTs: 90 });
  assert.deepEqual(r.threads.map((t) => [t[2], t[4]]), [
    [110, '/proc/100/task: newest threads at the first pool use'],
    [111, '/proc/100/task: newest threads at the first pool use'],
  ]);
  // The pool may start before the first job seen (Node's trace-event writer uses it too).
  const early = osThreads.map((t) => (t.tid === 110 || t.tid === 111 ? { ...t, firstSeen: 10 } : t));
  const r2 = buildPool({ pid: PID, poolSize: 2, events: ev, osThreads: early, sampleTimes, model: m, endTs: 90 });
  assert.deepEqual(r2.threads.map((t) => t[2]), [110, 111]);
  // No sample after the first use and too few threads listed to hold the pool: ids stay unknown.
  const r3 = buildPool({ pid: PID, poolSize: 2, events: ev, osThreads: osThreads.slice(0, 7), sampleTimes: [0, 10], model: m, endTs: 90 });
  assert.deepEqual(r3.threads.map((t) => t[2]), [0, 0]);
});

test('Node 22+: threads named libuv-worker are the pool', () => {
  const osThreads = [
    { tid: PID, comm: 'node', firstSeen: 0, lastSeen: 9 },
    { tid: 101, comm: 'V8Worker', firstSeen: 0, lastSeen: 9 },
    { tid: 130, comm: 'libuv-worker', firstSeen: 5, lastSeen: 9 },
  ];
  const m = model(resources('FSREQCALLBACK', [4], [6]));
  const r = buildPool({ pid: PID, poolSize: 1, events: [], osThreads, osThreadSource: '/proc/100/task', model: m, endTs: 9 });
  assert.deepEqual(r.threads, [['P', 0, 130, 'libuv-worker', '/proc/100/task: named libuv-worker']]);
});

test('no pool use: no lanes at all', () => {
  const r = buildPool({ pid: PID, poolSize: 4, events: [], osThreads: [{ tid: PID, comm: 'node', firstSeen: 0, lastSeen: 1 }], model: model(), endTs: 1 });
  assert.deepEqual(r, { threads: [], jobs: [] });
});

test('without trace events, pool-backed resources still become inferred jobs (submit = created, end = first callback)', () => {
  const m = model([
    ['Y', 1, 'FSREQCALLBACK'],
    ['I', 5, 1, 1, 10, 0],
    ['B', 5, 40],
    ['A', 5, 41],
    ['Y', 2, 'Timeout'],
    ['I', 6, 2, 1, 12, 0],
  ]);
  const r = buildPool({ pid: PID, poolSize: 4, events: [], model: m, endTs: 50 });
  assert.deepEqual(r.jobs, [['J', 1, 'FSREQCALLBACK', 10, 10, 40, 0, 1, 0, 5]]);
});

test('pool families of async resource types', () => {
  assert.equal(poolFamilyOfType('FSREQPROMISE'), 'fs');
  assert.equal(poolFamilyOfType('GETADDRINFOREQWRAP'), 'dns');
  assert.equal(poolFamilyOfType('SCRYPTREQUEST'), 'crypto');
  assert.equal(poolFamilyOfType('ZLIB'), 'zlib');
  assert.equal(poolFamilyOfType('QUERYWRAP'), undefined);
  assert.equal(poolFamilyOfType('TCPWRAP'), undefined);
});

test('job ids stay stable across calls: a live job of a resource is replaced by its final record', () => {
  // The live pass has no trace events; the final one has, and they add a crypto job with no resource
  // of its own, submitted before the read: the read's job keeps its id.
  const m = model([['Y', 1, 'FSREQCALLBACK'], ['I', 5, 1, 1, 10, 0], ['B', 5, 40], ['A', 5, 41]]);
  const jobIds = { byOp: new Map<string, number>(), next: 1 };
  const live = buildPool({ pid: PID, poolSize: 2, events: [], model: m, endTs: 45, jobIds });
  const ev: NodeTraceEvent[] = [
    { ph: 'b', cat: ASYNC, name: 'crypto', ts: 2, tid: PID, id: 'x' },
    { ph: 'B', cat: SYNC, name: 'crypto', ts: 3, tid: 201 },
    { ph: 'E', cat: SYNC, name: 'crypto', ts: 8, tid: 201 },
  ];
  const final = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 50, jobIds });
  assert.deepEqual(live.jobs, [['J', 1, 'FSREQCALLBACK', 10, 10, 40, 0, 1, 0, 5]]);
  assert.deepEqual(final.jobs, [
    ['J', 2, 'crypto', 2, 3, 8, 0, 0, -1, -1],
    ['J', 1, 'FSREQCALLBACK', 10, 10, 40, 0, 1, 0, 5],
  ]);
});

/** Node's events of one zlib job of handle `id` submitted at ts, run on OS thread `tid`, its `e` at ts + 6. */
function zlibJob(ts: number, id: string, tid: number): NodeTraceEvent[] {
  return [
    { ph: 'b', cat: ASYNC, name: 'zlib', ts, tid: PID, id },
    { ph: 'B', cat: SYNC, name: 'zlib', ts: ts + 1, tid },
    { ph: 'E', cat: SYNC, name: 'zlib', ts: ts + 5, tid },
    { ph: 'e', cat: ASYNC, name: 'zlib', ts: ts + 6, tid: PID, id },
  ];
}

test('zlib: each job links to the stream whose callback follows its end, not to the stream created first', () => {
  // Stream 8 is created first, stream 10 second; 10 writes first (handle 0xb), 8 fifty µs later (0xa).
  const m = model([
    ['Y', 1, 'ZLIB'],
    ['I', 8, 1, 1, 0, 0],
    ['I', 10, 1, 1, 1, 0],
    ...[[10, 10], [10, 28], [8, 48], [8, 58]].flatMap(([id, ts]) => [['B', id, ts], ['A', id, ts + 1]]),
  ]);
  const ev = [...zlibJob(2, '0xb', 201), ...zlibJob(20, '0xb', 202), ...zlibJob(40, '0xa', 201), ...zlibJob(50, '0xa', 202)];
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 80 });
  assert.deepEqual(r.jobs.map((j) => [j[2], j[3], j[7], j[9]]), [
    ['ZLIB', 2, 0, 10],
    ['ZLIB', 20, 0, 10],
    ['ZLIB', 40, 0, 8],
    ['ZLIB', 50, 0, 8],
  ]);
});

test('zlib: a job not followed by its stream\'s callback takes its handle\'s stream, else stays unlinked', () => {
  const m = model([
    ['Y', 1, 'ZLIB'],
    ['Y', 2, 'Timeout'],
    ['I', 8, 1, 1, 0, 0],
    ['I', 10, 1, 1, 1, 0],
    ['I', 12, 2, 1, 1, 0],
    // A timer runs right after the first job's end; stream 8's callback after its second job's.
    ['B', 12, 9],
    ['A', 12, 10],
    ['B', 8, 37],
    ['A', 8, 38],
    // One callback after the ends of two jobs: it belongs to the later one.
    ['B', 10, 48],
    ['A', 10, 49],
  ]);
  const ev = [...zlibJob(2, '0xa', 201), ...zlibJob(30, '0xa', 201), ...zlibJob(40, '0xb', 201), ...zlibJob(41, '0xc', 202)];
  const r = buildPool({ pid: PID, poolSize: 2, events: ev, model: m, endTs: 80 });
  assert.deepEqual(r.jobs.map((j) => [j[2], j[3], j[9]]), [
    ['ZLIB', 2, 8],
    ['ZLIB', 30, 8],
    ['ZLIB', 40, -1],
    ['ZLIB', 41, 10],
  ]);
});
