import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TraceFollower } from './traceFollower';

const header = JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }]);

test('reads only what was appended, across multi-byte characters split between reads', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cd-follow-')), 't.cdtrace');
  writeFileSync(file, header + '\n["@",1,0]\n["T",0,"main","/tmp/');
  const f = new TraceFollower(file);
  f.readMore();
  assert.equal(f.endsWithNewline, false, 'a line in progress');
  // "é" is two bytes in UTF-8: write them in two appends.
  const e = Buffer.from('é', 'utf8');
  appendFileSync(file, e.subarray(0, 1));
  f.readMore();
  appendFileSync(file, Buffer.concat([e.subarray(1), Buffer.from('.ts",1,2]\n')]));
  f.readMore();
  assert.equal(f.endsWithNewline, true);
  assert.equal(f.scanner.model.records, 3, 'the header, the context and the thread record');
  assert.equal(f.scanner.model.threads.get('1:0')?.name, '/tmp/é.ts');
  assert.equal(f.scanner.model.header?.format, 'concurrency-diagram-trace');
});
