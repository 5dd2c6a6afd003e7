import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToWebviewMessage } from '../trace/protocol';
import { TraceFeed } from './traceFeed';

const header = JSON.stringify(['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'test' }]) + '\n';
const lines = [['@', 5, 0], ['F', 1, '/w/a.ts'], ['K', 1, [1, 3, 7, 'f']], ['Y', 1, 'Timeout'], ['I', 2, 1, 1, 10, 1]].map((r) => JSON.stringify(r) + '\n');

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-feed-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'live feed: reset, chunks in order, the model fills once even when the page reloads, runEnded last',
  withDir(async (dir) => {
    const file = join(dir, 't.cdtrace');
    writeFileSync(file, header + lines[0]);
    const feed = new TraceFeed(file, 'a.ts', true, (m) => assert.fail(m), { pollMs: 10 });
    const sent: ToWebviewMessage[] = [];
    feed.attach((m) => sent.push(m));
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(file, lines.slice(1).join(''));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(feed.model.ops.size, 1);
    // The page reloads: everything again from the start, but the host model is not fed twice.
    const again: ToWebviewMessage[] = [];
    feed.attach((m) => again.push(m));
    await feed.end({ type: 'runEnded', exitCode: 0, signal: null, stopped: false, summary: 'concurrency-diagram: done' });
    assert.deepEqual(sent[0], { type: 'reset', title: 'a.ts', live: true });
    assert.equal(again[0].type, 'reset');
    const text = again.flatMap((m) => (m.type === 'traceChunk' ? [m.text] : [])).join('');
    assert.equal(text, header + lines.join(''));
    assert.equal(again[again.length - 1].type, 'runEnded');
    assert.equal(feed.model.ops.size, 1);
    assert.equal(feed.model.records, 1 + lines.length);
    assert.deepEqual([...feed.referencedFiles()], ['/w/a.ts']);
    feed.dispose();
  }),
);

test(
  'a file that is not a trace is reported once with the reader message',
  withDir(async (dir) => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"traceEvents": []}\n');
    const errors: string[] = [];
    const feed = new TraceFeed(file, 'x', false, (m) => errors.push(m));
    const sent: ToWebviewMessage[] = [];
    feed.attach((m) => sent.push(m));
    await feed.end({ type: 'runEnded', exitCode: null, signal: null, stopped: false, summary: '' });
    assert.equal(errors.length, 1);
    assert.match(errors[0], /not a Concurrency Diagram trace/);
    assert.equal(feed.error, errors[0]);
    assert.deepEqual(
      sent.map((m) => m.type),
      ['reset', 'runEnded'],
    );
    feed.dispose();
  }),
);
