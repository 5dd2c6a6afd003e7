import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceTail } from './traceTail';

test('follows a file that appears later and grows, splitting multi-byte characters safely', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-tail-'));
  try {
    const file = join(dir, 't.cdtrace');
    let got = '';
    const tail = new TraceTail(file, (t) => (got += t), (e) => assert.fail(e), { pollMs: 20 });
    tail.start();
    await tail.poll();
    assert.equal(got, '');
    const bytes = Buffer.from('["F",1,"/w/日本.ts"]\n');
    // Cut inside a 3-byte character: the tail must not emit a replacement character.
    appendFileSync(file, bytes.subarray(0, 12));
    await tail.poll();
    appendFileSync(file, bytes.subarray(12));
    await tail.poll();
    appendFileSync(file, 'last line without newline');
    await tail.finish();
    assert.equal(got, '["F",1,"/w/日本.ts"]\nlast line without newline');
    assert.equal(tail.bytesRead, bytes.length + 'last line without newline'.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hands large files over in bounded pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-tail-'));
  try {
    const file = join(dir, 'big');
    appendFileSync(file, 'x'.repeat(10_000));
    const pieces: number[] = [];
    const tail = new TraceTail(file, (t) => pieces.push(t.length), undefined, { maxChunkBytes: 4096 });
    await tail.finish();
    assert.deepEqual(pieces, [4096, 4096, 1808]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
