import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseNodeVersion, probeNode, probeNodeCached, resolveExecutable } from './nodeVersion';

test('parses node --version output', () => {
  assert.deepEqual(parseNodeVersion('v20.11.1\n'), { major: 20, minor: 11, patch: 1, text: 'v20.11.1' });
  assert.equal(parseNodeVersion('v24.0.0-nightly2025')?.major, 24);
  assert.equal(parseNodeVersion('Python 3.11'), undefined);
});

test('probes the running node as ok', async () => {
  const p = await probeNode(process.execPath);
  assert.equal(p.ok, true);
});

test('a missing executable is reported as missing', async () => {
  const p = await probeNode('/nonexistent/bin/node-xyz');
  assert.deepEqual(p.ok ? 'ok' : p.reason, 'missing');
});

/** A fake `node` that prints `version` and counts its runs in `<dir>/runs`. */
function fakeNode(dir: string, version: string): string {
  const file = join(dir, 'node');
  writeFileSync(file, `#!/bin/sh\necho x >> "${join(dir, 'runs')}"\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}
const runsOf = (dir: string) => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0);

test('resolveExecutable: a path as is, a bare name from PATH in order, undefined when absent', { skip: process.platform === 'win32' }, () => {
  const a = mkdtempSync(join(tmpdir(), 'cd-exe-a-'));
  const b = mkdtempSync(join(tmpdir(), 'cd-exe-b-'));
  fakeNode(b, 'v22.0.0');
  assert.equal(resolveExecutable('node', { PATH: [a, b].join(delimiter) }), join(b, 'node'));
  fakeNode(a, 'v24.0.0');
  assert.equal(resolveExecutable('node', { PATH: [a, b].join(delimiter) }), join(a, 'node'));
  assert.equal(resolveExecutable(join(b, 'node'), { PATH: '' }), join(b, 'node'));
  assert.equal(resolveExecutable('./node', { PATH: '' }, b), join(b, 'node'));
  assert.equal(resolveExecutable('node', { PATH: mkdtempSync(join(tmpdir(), 'cd-exe-c-')) }), undefined);
  assert.equal(resolveExecutable(join(a, 'missing'), {}), undefined);
});

test('probeNodeCached runs a good Node once, again when the file changes, and never keeps a failure', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-probe-'));
  const env = { PATH: dir };
  fakeNode(dir, 'v22.3.0');
  const first = await probeNodeCached('node', env);
  assert.deepEqual(first.ok && first.version.text, 'v22.3.0');
  const second = await probeNodeCached('node', env);
  assert.deepEqual(second.ok && second.version.text, 'v22.3.0');
  assert.equal(runsOf(dir), 1, 'the second probe used the cache');
  // Other NODE_OPTIONS can make the same Node fail to start: probed again.
  await probeNodeCached('node', { ...env, NODE_OPTIONS: '--max-old-space-size=64' });
  assert.equal(runsOf(dir), 2);
  // Replaced in place by a too old one (another size): probed again, and the failure is not kept.
  fakeNode(dir, 'v18.20.0-old');
  const old = await probeNodeCached('node', env);
  assert.deepEqual(old.ok ? 'ok' : old.reason, 'tooOld');
  await probeNodeCached('node', env);
  assert.equal(runsOf(dir), 4);
});
