import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from './args';
import { checkScript, defaultTracePath, effectivePoolSize, makeNodeTraceDir, permissionModelOn, permissionOptions, quoteNodeOption } from './run';

test('NODE_OPTIONS quoting survives spaces, quotes and backslashes in paths (Node parses it back)', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cd q-')), 'a "b" \\c');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'pre.js');
  writeFileSync(file, 'process.stdout.write("preloaded " + __filename)');
  const r = spawnSync(process.execPath, ['-e', ''], { env: { ...process.env, NODE_OPTIONS: `--require ${quoteNodeOption(file)}` }, encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `preloaded ${file}`);
});

test('script checks name the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-script-'));
  writeFileSync(join(dir, 'ok.mts'), '');
  writeFileSync(join(dir, 'README'), '');
  assert.equal(checkScript('ok.mts', dir), join(dir, 'ok.mts'));
  assert.throws(() => checkScript('nope.ts', dir), (e: unknown) => e instanceof UsageError && /script not found: .*nope\.ts$/.test(e.message));
  assert.throws(() => checkScript('.', dir), /is a directory, not a script file/);
  assert.throws(() => checkScript('README', dir), /unsupported file type '\(none\)'/);
});

test('default trace path and effective pool size', () => {
  assert.match(defaultTracePath('/x/my app.ts', new Date('2026-01-02T03:04:05Z')), /concurrency-diagram-my_app-20260102-030405-\d+\.cdtrace$/);
  assert.equal(effectivePoolSize(undefined), 4);
  assert.equal(effectivePoolSize('2'), 2);
  assert.equal(effectivePoolSize('0'), 1);
  assert.equal(effectivePoolSize('5000'), 1024);
  assert.equal(effectivePoolSize('many'), 1);
  assert.equal(effectivePoolSize('-3'), 1024);
});

test('no usable folder for Node\'s trace events: none, and one line saying what is missing', { skip: process.platform === 'win32' }, () => {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = '/nonexistent-concurrency-diagram';
  try {
    const lines: string[] = [];
    // `/dev/null` is no folder: the trace's folder cannot hold one either.
    assert.equal(makeNodeTraceDir('/dev/null/x.cdtrace', (l) => lines.push(l)), undefined);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^concurrency-diagram: no temporary folder for Node's trace events \(\/nonexistent-concurrency-diagram: ENOENT; \/dev\/null: ENOTDIR\); crypto and zlib threadpool jobs are inferred instead of exact$/);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});

test('under Node\'s permission model the recorder is granted its own files only', () => {
  assert.equal(permissionModelOn(['--max-old-space-size=64']), false);
  assert.equal(permissionModelOn(['--permission']), true);
  assert.equal(permissionModelOn(['--no-warnings', '--experimental-permission']), true);
  assert.equal(permissionOptions('/opt/cd/runner', '/tmp/a b.cdtrace', undefined), '"--allow-fs-read=/opt/cd/runner" "--allow-fs-write=/tmp/a b.cdtrace"');
  assert.equal(permissionOptions('/r', '/t.cdtrace', '/tmp/node-1'), '"--allow-fs-read=/r" "--allow-fs-write=/t.cdtrace" "--allow-fs-write=/tmp/node-1"');
  // Node reads the grants back from NODE_OPTIONS, the path with a space included.
  const dir = mkdtempSync(join(tmpdir(), 'cd perm-'));
  const r = spawnSync(process.execPath, ['--experimental-permission', '--allow-fs-read=*', '-p', `[process.permission.has('fs.write', ${JSON.stringify(join(dir, 'a b.cdtrace'))}), process.permission.has('fs.write', ${JSON.stringify(dir)})].join()`], {
    env: { ...process.env, NODE_OPTIONS: permissionOptions('/r', join(dir, 'a b.cdtrace'), undefined) },
    encoding: 'utf8',
  });
  assert.equal(r.stdout.trim(), 'true,false', r.stderr);
});
