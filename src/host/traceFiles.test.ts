import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace } from '../trace/model';
import { decideReveal, filesReferenced, framesInStackText } from './traceFiles';

const trace = [
  ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }],
  ['@', 10, 0],
  ['R', { node: 'v20.0.0', platform: 'linux', arch: 'x64', pid: 10, script: '/w/main.ts', args: [], cwd: '/w', threadpoolSize: 4, ts: 1 }],
  ['F', 1, '/w/main.ts'],
  ['F', 2, '/outside/lib.ts'],
  ['F', 3, 'node:internal/fs/promises'],
  ['K', 1, [1, 5, 3, 'main', 2, 9, 1, 'helper']],
  ['K', 2, [3, 100, 1, 'readFile']],
  ['Y', 1, 'FSREQCALLBACK'],
  ['I', 7, 1, 1, 10, 1],
  ['!', 'uncaughtException', 20, 'boom', 'Error: boom\n    at thrower (/w/thrower.ts:4:9)\n    at file:///w/other%20dir/x.mjs:2:1\n    at node:internal/main:1:1', 2],
]
  .map((r) => JSON.stringify(r))
  .join('\n');

test('collects files from stacks, error stacks (structured and text) and the run', () => {
  const files = filesReferenced(parseTrace(trace));
  assert.deepEqual([...files].sort(), ['/outside/lib.ts', '/w/main.ts', '/w/other dir/x.mjs', '/w/thrower.ts', 'node:internal/fs/promises', 'node:internal/main'].sort());
});

test('reads frames from a V8 stack text', () => {
  const f = framesInStackText('Error: x\n    at Object.<anonymous> (/a/b.ts:3:7)\n    at /c.js:1:2\n    at new Foo (C:\\w\\x.ts:5:6)');
  assert.deepEqual(
    f.map((x) => [x.fn, x.file, x.line, x.column]),
    [
      ['Object.<anonymous>', '/a/b.ts', 3, 7],
      ['', '/c.js', 1, 2],
      ['new Foo', 'C:\\w\\x.ts', 5, 6],
    ],
  );
});

test('reveal: only files of the trace; node: internals are explained; files outside the workspace open', () => {
  const files = filesReferenced(parseTrace(trace));
  assert.deepEqual(decideReveal('/w/main.ts', files), { kind: 'open', file: '/w/main.ts' });
  assert.deepEqual(decideReveal('/outside/lib.ts', files), { kind: 'open', file: '/outside/lib.ts' });
  assert.equal(decideReveal('node:internal/fs/promises', files).kind, 'nodeInternal');
  assert.equal(decideReveal('/etc/passwd', files).kind, 'rejected');
  assert.equal(decideReveal('../main.ts', new Set(['../main.ts'])).kind, 'rejected');
});
