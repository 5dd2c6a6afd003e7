import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NODE_DEFAULT_TRACE_PATTERN, nodeTraceFiles, parseNodeTraceText, readNodeTraceEvents } from './nodeTraceEvents';

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
  const files = nodeTraceFiles(join(dir, 'node-${pid}-${rotation}.log'), '/', 7);
  assert.deepEqual(files, [
    [join(dir, 'node-7-1.log'), 1],
    [join(dir, 'node-7-2.log'), 2],
  ]);
  const r = readNodeTraceEvents(files, 900);
  assert.deepEqual(r.events, [
    { ph: 'b', cat: CAT, name: 'crypto', ts: 100, tid: 7, id: '0x1' },
    { ph: 'b', cat: CAT, name: 'crypto', ts: 600, tid: 7, id: '0x1' },
  ]);
  // The gc and fs events: the script's own tracing.
  assert.equal(r.others, 2);
  assert.deepEqual(nodeTraceFiles(join(dir, 'missing', 'node-${pid}-${rotation}.log'), '/', 7), []);
});

test('a pattern of the script\'s own, relative to its folder; Node\'s default; none with ${…} in a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-nte-'));
  writeFileSync(join(dir, 'node_trace.1.log'), '');
  writeFileSync(join(dir, 'node_trace.3.log'), '');
  writeFileSync(join(dir, 'node_trace.x.log'), '');
  writeFileSync(join(dir, 'run-7.json'), '');
  assert.deepEqual(nodeTraceFiles(NODE_DEFAULT_TRACE_PATTERN, dir, 7), [
    [join(dir, 'node_trace.1.log'), 1],
    [join(dir, 'node_trace.3.log'), 3],
  ]);
  assert.deepEqual(nodeTraceFiles('run-${pid}.json', dir, 7), [[join(dir, 'run-7.json'), 1]]);
  assert.deepEqual(nodeTraceFiles('${pid}/t.log', dir, 7), []);
});
