import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TagCode, TraceWriter } from './traceWriter';

function tempTrace(): string {
  const f = join(mkdtempSync(join(tmpdir(), 'cd-writer-')), 'trace');
  writeFileSync(f, '');
  return f;
}

test('encodes numeric records exactly as JSON, each chunk starting with the context', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",12,3]\n');
  w.rec2(TagCode.Before, 0, 9);
  w.rec3(TagCode.TaskEnd, 7, 1234567890123, 1);
  w.rec5(TagCode.Init, 5, 2, 1, 100, 0);
  w.rec4s(TagCode.TaskStart, 1, 0, 50, 3, JSON.stringify('fetch"Thing'));
  w.rec2(TagCode.After, -1, 2.5);
  w.flush();
  w.write('["X",3,99]\n');
  w.close();
  const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(
    lines.map((l) => JSON.parse(l)),
    [
      ['@', 12, 3],
      ['B', 0, 9],
      ['E', 7, 1234567890123, 1],
      ['I', 5, 2, 1, 100, 0],
      ['N', 1, 0, 50, 3, 'fetch"Thing'],
      ['A', -1, 2.5],
      ['@', 12, 3],
      ['X', 3, 99],
    ],
  );
});

test('writes the preamble once, after the context of the first chunk', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,2]\n');
  w.setPreamble(() => '["T",2,"worker","w",0,0]\n');
  w.rec2(TagCode.TaskAwait, 1, 2);
  w.flush();
  w.rec2(TagCode.TaskResume, 1, 3);
  w.close();
  assert.equal(readFileSync(f, 'utf8'), '["@",1,2]\n["T",2,"worker","w",0,0]\n["W",1,2]\n["@",1,2]\n["U",1,3]\n');
});

test('keeps memory bounded: a full buffer is written out as whole lines', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,0]\n');
  const n = 40_000;
  for (let i = 0; i < n; i++) w.rec2(TagCode.Before, i, i * 3);
  w.write(`["!","runner",1,${JSON.stringify('x'.repeat(600_000))},"",0]\n`);
  w.close();
  const lines = readFileSync(f, 'utf8').split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as unknown[]);
  assert.ok(records.filter((r) => r[0] === '@').length > 1, 'several chunks');
  const befores = records.filter((r) => r[0] === 'B');
  assert.equal(befores.length, n);
  assert.deepEqual(befores[n - 1], ['B', n - 1, (n - 1) * 3]);
  assert.equal((records.at(-1) as string[])[3].length, 600_000);
});

test('a shared writer\'s queued records can be written by another party once, never twice, never ones already flushed', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,4]\n', true);
  assert.ok(w.shared);
  w.setPreamble(() => '["T",4,"worker","w",0,0]\n');
  w.rec2(TagCode.Before, 1, 10);
  w.flush();
  w.rec2(TagCode.After, 1, 11);
  w.queuePreamble();
  w.write('["X",4,12]\n');
  // The thread is gone (nothing flushed the last records): the thread that started it writes them.
  TraceWriter.flushShared(f, w.shared);
  TraceWriter.flushShared(f, w.shared);
  assert.equal(readFileSync(f, 'utf8'), '["@",1,4]\n["T",4,"worker","w",0,0]\n["B",1,10]\n["@",1,4]\n["A",1,11]\n["X",4,12]\n');
});

test('a shared buffer taken over by another thread (the process ends): its own thread writes nothing more', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,5]\n', true);
  assert.ok(w.shared);
  w.rec2(TagCode.Before, 1, 10);
  TraceWriter.flushShared(f, w.shared, 50);
  // The Worker still runs for a moment: its records and flushes no longer reach the file.
  w.rec2(TagCode.After, 1, 11);
  w.flush();
  w.close();
  assert.equal(readFileSync(f, 'utf8'), '["@",1,5]\n["B",1,10]\n');
});

test('a shared buffer whose thread is writing a chunk: the other thread waits for it, then writes only what is left', async () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,6]\n', true);
  const shared = w.shared as SharedArrayBuffer;
  const state = new Int32Array(shared, 0, 3);
  // As the owner does while its chunk is being written (see flush): marked written, writer = owner.
  w.rec2(TagCode.Before, 1, 10);
  Atomics.store(state, 2, 1);
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const state = new Int32Array(workerData, 0, 3);
     setTimeout(() => { Atomics.store(state, 2, 0); Atomics.notify(state, 2); }, 30);`,
    { eval: true, workerData: shared },
  );
  const started = Date.now();
  await new Promise((r) => worker.once('online', r));
  TraceWriter.flushShared(f, shared, 2000);
  assert.ok(Date.now() - started >= 20, 'waited for the owner');
  assert.equal(readFileSync(f, 'utf8'), '["@",1,6]\n["B",1,10]\n');
  // Never longer than asked: an owner that never finishes leaves its records out.
  const g = tempTrace();
  const v = new TraceWriter(g, '["@",1,7]\n', true);
  v.rec2(TagCode.Before, 2, 20);
  Atomics.store(new Int32Array(v.shared as SharedArrayBuffer, 0, 3), 2, 1);
  TraceWriter.flushShared(g, v.shared as SharedArrayBuffer, 10);
  assert.equal(readFileSync(g, 'utf8'), '');
  await worker.terminate();
});

test('a record cut short by an exception (a RangeError near the stack limit) leaves nothing behind', () => {
  const f = tempTrace();
  const w = new TraceWriter(f, '["@",1,0]\n');
  w.rec2(TagCode.Before, 1, 2);
  const buf = (w as unknown as { buf: Buffer }).buf;
  const write = buf.write;
  // Only a non-integer goes through Buffer#write: the record's head and first number are encoded by then.
  buf.write = () => {
    throw new RangeError('Maximum call stack size exceeded');
  };
  assert.throws(() => w.rec5(TagCode.Init, 3, 1, 0, 2.5, 0), RangeError);
  assert.throws(() => w.write('["X",0,9]\n'), RangeError);
  buf.write = write;
  w.rec2(TagCode.After, 1, 4);
  w.close();
  assert.deepEqual(
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    [
      ['@', 1, 0],
      ['B', 1, 2],
      ['A', 1, 4],
    ],
  );
});
