import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliRun } from './cliProcess';

const fakeCli = (body: string) => ['-e', body];

test('streams output, passes the exit code and keeps the last summary line', async () => {
  const run = new CliRun({
    node: process.execPath,
    argv: fakeCli(
      "process.stdout.write('out\\n'); process.stderr.write('concurrency-diagram: old\\nnoise\\n'); process.stderr.write('concurrency-diagram: 1 thread, 3 async ops\\n'); process.exitCode = 3;",
    ),
    cwd: process.cwd(),
    env: process.env,
  });
  let out = '';
  run.on('stdout', (s: string) => (out += s));
  const x = await run.done;
  assert.equal(out, 'out\n');
  assert.deepEqual(x, { exitCode: 3, signal: null, stopped: false, summary: 'concurrency-diagram: 1 thread, 3 async ops' });
});

test("finds the summary glued to the end of the script's last stderr line when it had no newline", async () => {
  const run = new CliRun({
    node: process.execPath,
    argv: fakeCli("process.stderr.write('x'.repeat(10000)); process.stderr.write('concurrency-diagram: exit 0 · trace: /t\\n');"),
    cwd: process.cwd(),
    env: process.env,
  });
  const x = await run.done;
  assert.equal(x.summary, 'concurrency-diagram: exit 0 · trace: /t');
});

test('stop ends a busy process and says it was stopped', async () => {
  const run = new CliRun({ node: process.execPath, argv: fakeCli("process.stderr.write('go\\n'); for(;;){}"), cwd: process.cwd(), env: process.env });
  await new Promise((r) => run.once('stderr', r));
  run.stop(500);
  const x = await run.done;
  assert.equal(x.stopped, true);
  assert.equal(run.running, false);
  assert.ok(x.signal === 'SIGTERM' || x.signal === 'SIGKILL');
});

test('a missing executable is a spawn error, not a crash', async () => {
  const run = new CliRun({ node: '/nonexistent/node-xyz', argv: [], cwd: process.cwd(), env: process.env });
  const x = await run.done;
  assert.equal((x.spawnError as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
});

test('stdin pipe forwards typed input', async () => {
  const run = new CliRun({
    node: process.execPath,
    argv: fakeCli("process.stdin.on('data', d => process.stdout.write('got ' + d)); process.stdin.on('end', () => process.exit(0));"),
    cwd: process.cwd(),
    env: process.env,
    stdinPipe: true,
  });
  let out = '';
  run.on('stdout', (s: string) => (out += s));
  run.write('hello\n');
  run.endInput();
  await run.done;
  assert.equal(out, 'got hello\n');
});
