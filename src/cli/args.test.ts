import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helpText, parseArgs, parseThreadpoolSize, UsageError } from './args';

test('run: options stop at the script; the rest belongs to the script', () => {
  assert.deepEqual(parseArgs(['run', '--trace', 't.cdtrace', '--node-arg', '--no-warnings', '--node-arg=--stack-size=2000', '--threadpool-size=8', 'app.ts', '--trace', 'x', '-v']), {
    kind: 'run',
    script: 'app.ts',
    scriptArgs: ['--trace', 'x', '-v'],
    trace: 't.cdtrace',
    threadpoolSize: 8,
    nodeArgs: ['--no-warnings', '--stack-size=2000'],
  });
  assert.deepEqual(parseArgs(['run', '--', '-weird.js', 'a']), { kind: 'run', script: '-weird.js', scriptArgs: ['a'], nodeArgs: [] });
});

test('report needs a trace and at least one output', () => {
  assert.deepEqual(parseArgs(['report', 't.cdtrace', '--html', 'r.html', '--chrome-trace=c.json']), { kind: 'report', trace: 't.cdtrace', html: 'r.html', chromeTrace: 'c.json' });
  assert.throws(() => parseArgs(['report', 't.cdtrace']), /needs an output/);
  assert.throws(() => parseArgs(['report', '--html', 'x.html']), /missing trace file/);
  assert.throws(() => parseArgs(['report', 'a', 'b', '--html', 'x']), /takes one trace file/);
});

test('help and version', () => {
  assert.deepEqual(parseArgs(['--help']), { kind: 'help', topic: undefined });
  assert.deepEqual(parseArgs(['run', '--help']), { kind: 'help', topic: 'run' });
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  assert.match(helpText(), /Exit codes/);
});

test('bad input throws a UsageError naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [['go'], /unknown command 'go'/],
    [['--nope'], /unknown option '--nope'/],
    [['run', '--nope', 'a.js'], /unknown option '--nope' for 'run'/],
    [['run', '--trace'], /--trace needs a value/],
    [['run', '--trace='], /--trace needs a value/],
    [['run'], /missing script/],
    [['run', '--'], /missing script path after --/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});

test('--threadpool-size is a whole number 1..1024', () => {
  assert.equal(parseThreadpoolSize('1'), 1);
  assert.equal(parseThreadpoolSize('1024'), 1024);
  for (const bad of ['0', '1025', '-1', '2.5', 'x', '']) assert.throws(() => parseThreadpoolSize(bad), UsageError, bad);
});
