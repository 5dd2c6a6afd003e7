import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceReader, parseTrace, TraceFormatError, SegmentState } from './model';
import { summaryLine } from '../cli/summary';

const header = JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '1', originWallMs: 0, writer: 't' }]);
const lines = [
  header,
  '["@",10,0]',
  '["T",0,"main","main",10,5]',
  '["F",1,"/a/app.ts"]',
  '["K",1,[1,3,7,"fetchThing",1,9,1,""]]',
  '["Y",1,"GETADDRINFOREQWRAP"]',
  '["I",5,1,1,100,1]',
  '["B",5,300]',
  '["A",5,320]',
  '["D",5,330]',
  '["N",1,0,50,1,"fetchThing"]',
  '["W",1,60]',
  '["U",1,200]',
  '["E",1,210,0]',
  '["@",10,-1]',
  '["J",1,"GETADDRINFOREQWRAP",100,120,290,2,1,0,5]',
  '["Q",400,{"exitCode":0,"signal":null}]',
];

test('reads every record kind into the model', () => {
  const m = parseTrace(lines.join('\n') + '\n');
  assert.equal(m.threads.get('10:0')?.name, 'main');
  const op = m.ops.get('10:0:5')!;
  assert.equal(op.type, 'GETADDRINFOREQWRAP');
  assert.deepEqual(op.callbacks, [300, 320]);
  assert.equal(op.destroyed, 330);
  assert.deepEqual(op.stack[0], { file: '/a/app.ts', line: 3, column: 7, fn: 'fetchThing' });
  const task = m.tasks.get('10:0:1')!;
  assert.deepEqual(task.segments, [50, 60, SegmentState.Running, 60, 200, SegmentState.Waiting, 200, 210, SegmentState.Running]);
  assert.equal(task.end, 210);
  const job = m.poolJobs.get(1)!;
  assert.equal(job.inferred, true);
  assert.equal(job.opKey, '10:0:5');
  assert.deepEqual(m.end, { exitCode: 0, signal: null });
  assert.equal(m.lastTs, 400);
  assert.equal(m.problems.length, 0);
});

test('gives the same model whatever the chunk boundaries', () => {
  const text = lines.join('\n') + '\n';
  const r = new TraceReader();
  for (let i = 0; i < text.length; i += 7) r.push(text.slice(i, i + 7));
  const m = r.finish();
  assert.equal(m.records, lines.length);
  assert.equal(m.ops.size, 1);
});

test('keeps a partial last line until it is complete, and reports a torn one', () => {
  const r = new TraceReader();
  r.push(lines.slice(0, 7).join('\n') + '\n["B",5,3');
  assert.equal(r.model.ops.get('10:0:5')?.callbacks.length, 0);
  r.push('00]\n["A",5,3');
  assert.deepEqual(r.model.ops.get('10:0:5')?.callbacks, [300, -1]);
  r.finish();
  assert.equal(r.model.problems.length, 1);
  assert.match(r.model.problems[0].message, /incomplete last line/);
});

test('rejects files that are not traces with a specific message', () => {
  assert.throws(() => parseTrace('hello\n'), TraceFormatError);
  assert.throws(() => parseTrace('{"traceEvents":[]}\n'), /not a header record/);
  assert.throws(() => parseTrace(header.replace('"version":1', '"version":99') + '\n'), /newer than this reader/);
});

test('reports malformed lines with their line number and keeps reading', () => {
  const m = parseTrace([header, '["@",1,0]', 'garbage', '["Y",1,"Timeout"]', '["I",2,1,0,5,0]'].join('\n') + '\n');
  assert.equal(m.problems[0].line, 3);
  assert.equal(m.ops.get('1:0:2')?.type, 'Timeout');
});

test('reads integer-only records the same with or without the fast path (spaces, fractions, negatives)', () => {
  const compact = parseTrace([header, '["@",7,0]', '["Y",1,"Timeout"]', '["I",2,1,-1,5,0]', '["B",2,10]', '["A",2,12]', '["L",9,13]'].join('\n') + '\n');
  const spaced = parseTrace([header, '[ "@", 7, 0 ]', '["Y",1,"Timeout"]', '["I", 2, 1, -1, 5.0, 0]', '["B",2,1e1]', '["A",2,12]', '["L",9,13]'].join('\n') + '\n');
  for (const m of [compact, spaced]) {
    const op = m.ops.get('7:0:2')!;
    assert.equal(op.triggerKey, undefined);
    assert.equal(op.created, 5);
    assert.deepEqual(op.callbacks, [10, 12]);
    assert.deepEqual(m.busy.map((b) => [b.thread, b.start, b.end]), [['7:0', 9, 13]]);
    assert.equal(m.records, 7);
    assert.equal(m.problems.length, 0);
  }
  const torn = parseTrace([header, '["@",7,0]', '["B",2,1', '["B",x,1]'].join('\n') + '\n');
  assert.equal(torn.problems.length, 2);
});

test('a repeated thread record replaces the first (a Worker names its script once known)', () => {
  const m = parseTrace(
    [header, '["@",10,2]', '["T",2,"worker","worker #2",77,40,"?",0]', '["T",2,"worker","worker #2 w.js",77,40,"/a/w.js",0]', '["X",2,90]'].join('\n') + '\n',
  );
  const t = m.threads.get('10:2')!;
  assert.equal(t.name, 'worker #2 w.js');
  assert.equal(t.file, '/a/w.js');
  assert.equal(t.parentKey, '10:0');
  assert.equal(t.end, 90);
});

test('fast path keeps ids beyond 32 bits and job links per process', () => {
  const m = parseTrace([header, '["@",7,0]', '["Y",1,"Timeout"]', '["I",3000000000,1,0,5,0]', '["B",3000000000,10]', '["A",3000000000,12]', '["@",7,-1]', '["J",1,"FSREQCALLBACK",1,2,3,0,1,0,3000000000]'].join('\n') + '\n');
  assert.deepEqual(m.ops.get('7:0:3000000000')?.callbacks, [10, 12]);
  assert.equal(m.poolJobs.get(1)?.opKey, '7:0:3000000000');
});

test('reads pool jobs the same with or without the fast path (escapes, spaces, unknown resources, replacement)', () => {
  const lines = (job: string[]): string => [header, '["@",7,0]', '["Y",1,"FSREQCALLBACK"]', '["I",5,1,0,1,0]', '["@",7,-1]', ...job].join('\n') + '\n';
  const compact = parseTrace(lines(['["J",1,"FSREQCALLBACK",1,2,3,0,1,0,5]', '["J",2,"GETADDRINFOREQWRAP",4,6,9,1,0,0,99]', '["J",3,"zlib",4,6,9,1,0,-1,-1]', '["J",3,"ZLIB",4,7,9,2,1,-1,-1]']));
  const json = parseTrace(
    lines(['["J", 1, "FSREQCALLBACK", 1, 2, 3, 0, 1, 0, 5]', '["J",2,"GETADDRINFO\\u0052EQWRAP",4,6,9,1,0,0,99]', '[ "J",3,"zlib",4,6,9,1,0,-1,-1]', '["J",3,"ZLIB",4.0,7,9,2,1,-1,-1]']),
  );
  for (const m of [compact, json]) {
    assert.deepEqual([...m.poolJobs.values()], [
      { id: 1, type: 'FSREQCALLBACK', submit: 1, start: 2, end: 3, poolIndex: 0, inferred: true, opKey: '7:0:5' },
      { id: 2, type: 'GETADDRINFOREQWRAP', submit: 4, start: 6, end: 9, poolIndex: 1, inferred: false, opKey: '7:0:99' },
      { id: 3, type: 'ZLIB', submit: 4, start: 7, end: 9, poolIndex: 2, inferred: true, opKey: undefined },
    ]);
    assert.equal(m.records, 9);
    assert.equal(m.lastTs, 9);
    assert.equal(m.problems.length, 0);
  }
  // The job's resource key is the resource's own string (read once, shared).
  assert.equal(compact.poolJobs.get(1)?.opKey, compact.ops.get('7:0:5')?.key);
  // A string that is not closed, or a job with a field missing, goes to JSON.parse and is reported.
  const torn = parseTrace(lines(['["J",1,"FSREQ', '["J",1,"FSREQCALLBACK",1,2,3,0,1,0]']));
  assert.equal(torn.poolJobs.size, 1);
  assert.equal(torn.problems.length, 1);
});

test('reads task segments and callbacks the same on the two-integer fast path and the general ones', () => {
  const lines = (rest: string[]): string => [header, '["@",7,0]', '["Y",1,"Timeout"]', '["I",2,1,0,5,0]', '["N",4,0,50,0,"f"]', ...rest].join('\n') + '\n';
  const compact = parseTrace(lines(['["B",2,10]', '["W",4,60]', '["A",2,12]', '["U",4,200]', '["D",2,13]', '["E",4,210,0]']));
  const general = parseTrace(lines(['["B", 2, 10]', '["W",4,6e1]', '[ "A",2,12]', '["U",4,200.0]', '["D",2, 13]', '["E",4,210,0]']));
  for (const m of [compact, general]) {
    assert.deepEqual(m.ops.get('7:0:2')?.callbacks, [10, 12]);
    assert.equal(m.ops.get('7:0:2')?.destroyed, 13);
    assert.deepEqual(m.tasks.get('7:0:4')?.segments, [50, 60, SegmentState.Running, 60, 200, SegmentState.Waiting, 200, 210, SegmentState.Running]);
    assert.equal(m.records, 11);
    assert.equal(m.lastTs, 210);
    assert.equal(m.problems.length, 0);
  }
  // Unknown ids are counted and skipped the same way.
  assert.equal(parseTrace(lines(['["W",99,70]', '["B",98,71]'])).lastTs, 71);
});

test('an O record cuts the thread’s open tasks and PROMISE operations, and only those', () => {
  const m = parseTrace(
    [
      header,
      '["@",10,0]',
      '["T",0,"main","main",10,5]',
      '["@",10,1]',
      '["T",1,"worker","worker #1",11,6]',
      '["N",1,0,50,0,"other"]',
      '["@",10,0]',
      '["Y",1,"PROMISE"]',
      '["Y",2,"Timeout"]',
      '["N",1,0,50,0,"ended"]',
      '["E",1,60,0]',
      '["N",2,0,70,0,"waits"]',
      '["W",2,80]',
      '["N",3,0,90,0,"runs"]',
      '["I",1500000000,1,0,95,0]',
      '["I",1500000001,1,0,96,0]',
      '["B",1500000001,97]',
      '["I",7,2,0,98,0]',
      '["O",100,1024.5,40000]',
      '["I",8,2,0,150,0]',
      '["Q",400,{"exitCode":0,"signal":null}]',
    ].join('\n') + '\n',
  );
  assert.deepEqual(m.threads.get('10:0')?.followStop, { ts: 100, captureMs: 1024.5, captures: 40000 });
  assert.equal(m.threads.get('10:1')?.followStop, undefined);
  assert.equal(m.tasks.get('10:0:1')?.cut, undefined);
  assert.equal(m.tasks.get('10:0:1')?.end, 60);
  const waits = m.tasks.get('10:0:2')!;
  assert.equal(waits.cut, 100);
  assert.equal(waits.end, undefined);
  assert.deepEqual(waits.segments, [70, 80, SegmentState.Running, 80, 100, SegmentState.Waiting]);
  assert.deepEqual(m.tasks.get('10:0:3')?.segments, [90, 100, SegmentState.Running]);
  assert.equal(m.tasks.get('10:1:1')?.cut, undefined, 'another thread is still followed');
  assert.equal(m.ops.get('10:0:1500000000')?.cut, 100);
  assert.deepEqual(m.ops.get('10:0:1500000001')?.callbacks, [97, 100]);
  assert.equal(m.ops.get('10:0:7')?.cut, undefined, 'resources are still recorded');
  assert.ok(m.ops.get('10:0:8'));
  assert.equal(m.problems.length, 0);
});

test("an async generator's park at a yield (a W with a trailing 1) is a segment of its own; a plain W is still a wait", () => {
  const lines = (recs: string[]) => [header, '["@",10,0]', '["N",4,0,50,0,"numbers"]', ...recs].join('\n') + '\n';
  const m = parseTrace(lines(['["W",4,60]', '["U",4,100]', '["W",4,110,1]', '["U",4,200]', '["E",4,210,0]']));
  assert.deepEqual(m.tasks.get('10:0:4')!.segments, [50, 60, SegmentState.Running, 60, 100, SegmentState.Waiting, 100, 110, SegmentState.Running, 110, 200, SegmentState.Yielded, 200, 210, SegmentState.Running]);
  assert.deepEqual(m.problems, []);
});

test('a G record: the thread’s last counts of hook calls out of stack; the summary names them', () => {
  const m = parseTrace(
    [
      header,
      '["@",10,0]',
      '["T",0,"main","main",10,5]',
      '["G",100,3,1,1,0]',
      '["G",200,5,1,2,4]',
      '["@",10,1]',
      '["T",1,"worker","worker #1",11,6]',
      '["Q",400,{"exitCode":0,"signal":null}]',
    ].join('\n') + '\n',
  );
  assert.deepEqual(m.threads.get('10:0')?.stackCuts, { ts: 200, cut: 5, unsourced: 1, lost: 2, dropped: 4 });
  assert.equal(m.threads.get('10:1')?.stackCuts, undefined);
  assert.equal(m.problems.length, 0);
  assert.match(summaryLine(m, '/t'), / · 5 recorder hook calls out of stack \(2 async operations not recorded, 1 without their own source, 4 records dropped\) · trace: \/t$/);
});
