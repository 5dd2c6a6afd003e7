import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNodeTraceText, readNodeTraceEvents } from './nodeTraceEvents';

const CAT = 'node,node.threadpoolwork,node.threadpoolwork.async';
const ev = (ts: number, extra = '') => `{"pid":7,"tid":7,"ts":${ts},"ph":"b","cat":"${CAT}","name":"crypto","id":"0x1","args":{${extra}}}`;

test('a complete file parses as is', () => {
  assert.equal(parseNodeTraceText(`{"traceEvents":[${ev(1)},${ev(2)}]}`).length, 2);
});

test('a file cut short (tracing disabled in a signal handler) yields the complete events', () => {
  assert.equal(parseNodeTraceText(`{"traceEvents":[${ev(1)},${ev(2)},`).length, 2);
  assert.equal(parseNodeTraceText(`{"traceEvents":[${ev(1)},${ev(2, '"path":"/x"')},{"pid":7,"tid":7,"ts":3,"args":{"a":1}`).length, 2);
  assert.deepEqual(parseNodeTraceText('{"traceEvents":['), []);
  assert.deepEqual(parseNodeTraceText(''), []);
});

test('reads only the files of the given pid, converts ts to µs since the origin, keeps only pool categories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-nte-'));
  // fs events (older versions of the runner asked for them) are no longer the pool model's.
  const fsEvent = `{"pid":7,"tid":7,"ts":1002,"ph":"b","cat":"node,node.fs,node.fs.async","name":"open","id":"0x2","args":{}}`;
  writeFileSync(join(dir, 'node-7-1.log'), `{"traceEvents":[${ev(1000)},{"pid":7,"tid":7,"ts":1001,"ph":"X","cat":"v8","name":"gc"},${fsEvent}]}`);
  writeFileSync(join(dir, 'node-7-2.log'), `{"traceEvents":[${ev(1500)}`);
  writeFileSync(join(dir, 'node-8-1.log'), `{"traceEvents":[${ev(1200)}]}`);
  const r = readNodeTraceEvents(dir, 7, 900);
  assert.equal(r.files, 2);
  assert.deepEqual(r.events, [
    { ph: 'b', cat: CAT, name: 'crypto', ts: 100, tid: 7, id: '0x1' },
    { ph: 'b', cat: CAT, name: 'crypto', ts: 600, tid: 7, id: '0x1' },
  ]);
  assert.deepEqual(readNodeTraceEvents(join(dir, 'missing'), 7, 0), { events: [], files: 0 });
});
