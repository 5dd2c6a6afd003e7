import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeVersion, probeNode } from './nodeVersion';

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
