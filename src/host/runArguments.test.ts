import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentSyntaxError, SettingsError, checkThreadpoolSize, cliArguments, joinArguments, mergeEnvironment, resolveCwd, specFromSettings, splitArguments } from './runArguments';

test('splits on whitespace, keeps quoted text together', () => {
  assert.deepEqual(splitArguments('  --count 3  "two words" \'it"s\'  '), ['--count', '3', 'two words', 'it"s']);
});

test('escapes: backslash outside quotes, \\" inside double quotes, nothing inside single quotes', () => {
  assert.deepEqual(splitArguments('a\\ b "x\\"y" \'c\\d\''), ['a b', 'x"y', 'c\\d']);
});

test('empty quoted strings are arguments; empty text is none', () => {
  assert.deepEqual(splitArguments('"" x'), ['', 'x']);
  assert.deepEqual(splitArguments('   '), []);
});

test('an unterminated quote is a clear error naming where it starts', () => {
  assert.throws(() => splitArguments('ok "broken'), (e: unknown) => e instanceof ArgumentSyntaxError && /double quote at character 4/.test(e.message));
  assert.throws(() => splitArguments("'x"), /single quote at character 1/);
});

test('joinArguments round-trips through splitArguments', () => {
  const args = ['plain', 'two words', "it's", '', '--flag=1', 'ä'];
  assert.deepEqual(splitArguments(joinArguments(args)), args);
});

test('CLI argv: trace, pool size, node args, then -- and the script with its arguments', () => {
  const argv = cliArguments('/ext/dist/cli.js', '/tmp/t.cdtrace', {
    script: '/w/a.ts',
    args: ['--x', 'y'],
    cwd: '/w',
    nodePath: 'node',
    runtimeArgs: ['--expose-gc'],
    threadpoolSize: 2,
    env: {},
  });
  assert.deepEqual(argv, ['/ext/dist/cli.js', 'run', '--trace', '/tmp/t.cdtrace', '--threadpool-size', '2', '--node-arg=--expose-gc', '--', '/w/a.ts', '--x', 'y']);
});

test('CLI argv: the overheadLimit setting off lifts the limit with --no-overhead-limit; on or absent keeps it', () => {
  const spec = { script: '/w/a.ts', args: [], cwd: '/w', nodePath: 'node', runtimeArgs: [], env: {} };
  assert.deepEqual(cliArguments('/c.js', '/t', { ...spec, overheadLimit: false }), ['/c.js', 'run', '--trace', '/t', '--no-overhead-limit', '--', '/w/a.ts']);
  assert.ok(!cliArguments('/c.js', '/t', { ...spec, overheadLimit: true }).includes('--no-overhead-limit'));
  assert.ok(!cliArguments('/c.js', '/t', spec).includes('--no-overhead-limit'));
  assert.equal(specFromSettings({ overheadLimit: false }, '/w/a.ts', '/w').overheadLimit, false);
  assert.equal(specFromSettings({}, '/w/a.ts', '/w').overheadLimit, true);
  assert.throws(() => specFromSettings({ overheadLimit: 'no' }, '/a.ts', undefined), /concurrencyDiagram\.overheadLimit must be true or false/);
});

test('environment: adds strings, removes nulls, leaves the base alone', () => {
  const base = { A: '1', B: '2' };
  assert.deepEqual(mergeEnvironment(base, { B: null, C: '3' }), { A: '1', C: '3' });
  assert.deepEqual(base, { A: '1', B: '2' });
});

test('threadpool size setting validation', () => {
  assert.equal(checkThreadpoolSize(null), undefined);
  assert.equal(checkThreadpoolSize(8), undefined);
  assert.match(checkThreadpoolSize(0) ?? '', /1 to 1024/);
  assert.match(checkThreadpoolSize(2.5) ?? '', /not 2.5/);
});

test('cwd: empty = workspace folder (or the script folder), variables expanded, relative to the folder', () => {
  assert.equal(resolveCwd('', '/w', '/w/src/a.ts'), '/w');
  assert.equal(resolveCwd('', undefined, '/x/a.ts'), '/x');
  assert.equal(resolveCwd('${workspaceFolder}/sub', '/w', '/w/a.ts'), '/w/sub');
  assert.equal(resolveCwd('${fileDirname}', '/w', '/w/src/a.ts'), '/w/src');
  assert.equal(resolveCwd('tmp', '/w', '/w/a.ts'), '/w/tmp');
  assert.equal(resolveCwd('/abs', '/w', '/w/a.ts'), '/abs');
});

test('settings become a run spec; "Run with Arguments" replaces the args setting', () => {
  const spec = specFromSettings({ nodePath: ' node ', args: ['a'], env: { X: '1', Y: null }, runtimeArgs: ['--expose-gc'], threadpoolSize: 2 }, '/w/a.ts', '/w', ['b', 'c']);
  assert.deepEqual(spec, { script: '/w/a.ts', args: ['b', 'c'], cwd: '/w', nodePath: 'node', runtimeArgs: ['--expose-gc'], threadpoolSize: 2, overheadLimit: true, env: { X: '1', Y: null } });
  assert.deepEqual(specFromSettings({}, '/w/a.ts', undefined).args, []);
});

test('bad settings get messages naming the setting', () => {
  assert.throws(() => specFromSettings({ args: 'a b' }, '/a.ts', undefined), (e: unknown) => e instanceof SettingsError && /concurrencyDiagram\.args/.test(e.message));
  assert.throws(() => specFromSettings({ env: { A: 1 } }, '/a.ts', undefined), /env: the value of A must be a string or null/);
  assert.throws(() => specFromSettings({ threadpoolSize: 5000 }, '/a.ts', undefined), /threadpoolSize/);
  assert.throws(() => specFromSettings({ nodePath: '' }, '/a.ts', undefined), /nodePath/);
});
