import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cacheDir, calleeColumn, decodeMappings, detectsModuleSyntax, formatOf, formatRule, getTranspiled, lookupPosition, pruneCache, tsCandidates, unmappedLines } from './tsLoader';
import { transpileTs, TsSyntaxError } from './typescript';

test('decodes VLQ mappings into per-line segments', () => {
  // Line 0: col 0 → 0:0, col 4 → 0:6. Line 1 (generated column restarts, original ones do not): col 0 → 1:6.
  const lk = decodeMappings('AAAA,IAAM;AACA');
  assert.deepEqual(lk, [
    [0, 0, 0, 4, 0, 6],
    [0, 1, 6],
  ]);
  assert.deepEqual(lookupPosition(lk, 2, 3), { line: 2, column: 7 });
  assert.deepEqual(lookupPosition(lk, 1, 6), { line: 1, column: 7 });
  assert.deepEqual(lookupPosition(lk, 1, 1), { line: 1, column: 1 });
  assert.equal(lookupPosition(lk, 9, 1), undefined);
});

test('maps positions of transpiled TypeScript back to the original line and column', () => {
  const src = ['enum E { A = 1 }', 'namespace N { export const x = 2; }', 'const f = (n: number): number => n;', 'setTimeout(() => f(E.A + N.x), 1);', ''].join('\n');
  const out = transpileTs('/t/a.ts', src, 'cjs');
  const lines = out.code.split('\n');
  const gl = lines.findIndex((l) => l.includes('setTimeout('));
  const lk = decodeMappings(out.map.mappings);
  assert.deepEqual(lookupPosition(lk, gl + 1, lines[gl].indexOf('setTimeout') + 1), { line: 4, column: 1 });
});

test('a CommonJS call of an imported binding maps to the callee name', () => {
  const text = '        (0, node_fs_1.readFile)(process.argv[1], cb);';
  const argsParen = text.indexOf(')(') + 2; // 1-based column of the argument list's "("
  assert.equal(calleeColumn(text, argsParen), text.indexOf('readFile') + 1);
  assert.equal(calleeColumn('foo(bar)', 4), 4);
  assert.equal(calleeColumn(undefined, 3), 3);
});

test('reports a syntax error with file, 1-based line and column', () => {
  assert.throws(
    () => transpileTs('/t/bad.ts', 'const a = 1;\nlet b: = 2;\n'),
    (e: unknown) => e instanceof TsSyntaxError && e.file === '/t/bad.ts' && e.line === 2 && e.column === 8 && e.message.startsWith('/t/bad.ts:2:8: '),
  );
});

test('module format: .mts ESM, .cts CommonJS, .ts by the nearest package.json type', () => {
  const root = mkdtempSync(join(tmpdir(), 'cd-fmt-'));
  mkdirSync(join(root, 'esm', 'sub'), { recursive: true });
  mkdirSync(join(root, 'cjs'), { recursive: true });
  writeFileSync(join(root, 'esm', 'package.json'), '{"type":"module"}');
  writeFileSync(join(root, 'cjs', 'package.json'), '{"type":"commonjs"}');
  assert.equal(formatOf(join(root, 'esm', 'sub', 'a.ts')), 'esm');
  assert.equal(formatOf(join(root, 'esm', 'a.cts')), 'cjs');
  assert.equal(formatOf(join(root, 'cjs', 'a.ts')), 'cjs');
  assert.equal(formatOf(join(root, 'cjs', 'a.mts')), 'esm');
});

test('module format with no package.json type: by the syntax, where the Node detects module syntax', () => {
  const root = mkdtempSync(join(tmpdir(), 'cd-detect-'));
  writeFileSync(join(root, 'package.json'), '{"name":"x"}');
  assert.equal(formatRule(join(root, 'a.ts'), true), 'detect');
  assert.equal(formatRule(join(root, 'a.ts'), false), 'cjs');
  assert.equal(formatRule(join(root, 'a.mts'), true), 'esm');
  const detected = (src: string): string => transpileTs('/t/d.ts', src, 'detect').format;
  assert.equal(detected('console.log(import.meta.url);'), 'esm');
  assert.equal(detected('const x: number = await Promise.resolve(5);'), 'esm');
  assert.equal(detected('for await (const x of []) console.log(x);'), 'esm');
  assert.equal(detected("import { sep } from 'node:path';\nconsole.log(sep);"), 'esm');
  assert.equal(detected('export {};'), 'esm');
  assert.equal(detected('export const a = 1;'), 'esm');
  assert.equal(detected('async function f() { await 1; }\nconst g = async () => { for await (const x of []) x; };'), 'cjs');
  assert.equal(detected("import type { Stats } from 'node:fs';\nexport interface I { s: Stats }\nexport type T = I;\nexport declare const d: T;"), 'cjs');
  assert.equal(detected("import fs = require('node:fs');\nexport const a = fs.sep;"), 'cjs');
  assert.equal(detected("const x = import('node:fs');\nmodule.exports = { x };"), 'cjs');
  // Import statements with what only CommonJS has: TypeScript written for tsc's module commonjs.
  assert.equal(detected("import * as path from 'node:path';\nconsole.log(path.join(__dirname, 'x'));"), 'cjs');
  assert.equal(detected("import { a } from './a';\nconst b = require('./b');"), 'cjs');
  // …but not where the file declares the name itself, or only a property has it.
  assert.equal(detected("import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);"), 'esm');
  assert.equal(detected("import { createRequire } from 'node:module';\nconst require = createRequire('/x');\nrequire('y');"), 'esm');
  assert.equal(detected("import cfg from './cfg';\nconsole.log(cfg.module, cfg.require);"), 'esm');
  // Syntax only an ES module has wins over CommonJS names.
  assert.equal(detected("console.log(import.meta.url, typeof require);"), 'esm');
  // Where its output is looked up, the file's syntax decides.
  writeFileSync(join(root, 'm.ts'), 'export const here = import.meta.url;\n');
  writeFileSync(join(root, 'c.ts'), 'const here = __filename;\n');
  assert.equal(formatOf(join(root, 'm.ts')), detectsModuleSyntax(process.version, []) ? 'esm' : 'cjs');
  assert.equal(formatOf(join(root, 'c.ts')), 'cjs');
});

test('Node versions that detect ES module syntax: 22.7+, 20.19+, 23+, or as the last flag says', () => {
  for (const v of ['v20.19.0', 'v20.20.2', 'v22.7.0', 'v22.23.3', 'v23.0.0', 'v24.21.0', 'v26.10.0']) assert.equal(detectsModuleSyntax(v, []), true, v);
  for (const v of ['v20.18.3', 'v21.7.3', 'v22.6.0']) assert.equal(detectsModuleSyntax(v, []), false, v);
  assert.equal(detectsModuleSyntax('v24.0.0', ['--no-experimental-detect-module']), false);
  assert.equal(detectsModuleSyntax('v20.18.0', ['--experimental-detect-module']), true);
  assert.equal(detectsModuleSyntax('v22.12.0', ['--no-experimental-detect-module', '--experimental-detect-module']), true);
});

test('JavaScript specifiers a TypeScript file may stand for: relative or absolute .js, .cjs, .mjs only', () => {
  assert.deepEqual(tsCandidates('./util.js'), ['./util.ts', './util.tsx']);
  assert.deepEqual(tsCandidates('../y.cjs'), ['../y.cts']);
  assert.deepEqual(tsCandidates('/abs/z.mjs'), ['/abs/z.mts']);
  assert.deepEqual(tsCandidates('pkg/util.js'), []);
  assert.deepEqual(tsCandidates('./data.json'), []);
  assert.deepEqual(tsCandidates('./util'), []);
});

test('lines the compiler adds: the functions it emits have no source, the code of `await using` stands for the declaration', () => {
  const src = ['async function main(): Promise<void> {', '  const a = 1;', '  await using r = { async [Symbol.asyncDispose]() {} };', '  console.log(a);', '}', 'main();', ''].join('\n');
  const out = transpileTs('/t/u.ts', src, 'cjs');
  const lines = out.code.split('\n');
  const { usingLines, sourceless } = unmappedLines(lines, decodeMappings(out.map.mappings));
  const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
  // The functions emitted above the script's code.
  assert.equal(sourceless[lineOf('var __disposeResources')], 1);
  assert.equal(sourceless[lineOf('function next()')], 1);
  // The disposal in the added finally block, and its await: the `await using` line (3), at `await`.
  assert.deepEqual(usingLines.get(lineOf('__disposeResources(env_1)')), { line: 3, column: 3 });
  assert.deepEqual(usingLines.get(lineOf('await result_1')), { line: 3, column: 3 });
  assert.equal(sourceless[lineOf('__disposeResources(env_1)')], 0);
  // The script's own lines are neither.
  assert.equal(sourceless[lineOf('console.log(a)')], 0);
  assert.equal(usingLines.has(lineOf('console.log(a)')), false);
});

const DAY = 24 * 3600_000;

/** A cache folder with entries last used `ages` days ago (each `size` bytes). */
function cacheWith(now: number, entries: { name: string; days: number; size: number }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-ts-cache-'));
  for (const e of entries) {
    const f = join(dir, e.name);
    writeFileSync(f, 'x'.repeat(e.size));
    const t = new Date(now - e.days * DAY);
    utimesSync(f, t, t);
  }
  return dir;
}

test('the transpile cache drops entries unused for too long, then the least recently used above the size bound', () => {
  const now = Date.now();
  const dir = cacheWith(now, [
    { name: 'old.json', days: 30, size: 10 },
    { name: 'a.json', days: 3, size: 400 },
    { name: 'b.json', days: 2, size: 400 },
    { name: 'c.json', days: 1, size: 400 },
    { name: 'leftover.json.123.abc.tmp', days: 1, size: 5 },
    { name: 'other.txt', days: 90, size: 5 },
  ]);
  const r = pruneCache(dir, { maxAgeMs: 14 * DAY, maxBytes: 1000, everyMs: 3600_000 }, now);
  assert.deepEqual(r, { ran: true, removed: 3, keptBytes: 800 });
  assert.deepEqual(readdirSync(dir).sort(), ['.pruned', 'b.json', 'c.json', 'other.txt']);
});

test('the transpile cache is pruned at most once per interval, whatever the number of runs', () => {
  const now = Date.now();
  const dir = cacheWith(now, [{ name: 'old.json', days: 30, size: 10 }]);
  const limits = { maxAgeMs: 14 * DAY, maxBytes: 1000, everyMs: 3600_000 };
  assert.equal(pruneCache(dir, limits, now).ran, true);
  writeFileSync(join(dir, 'old2.json'), 'x');
  utimesSync(join(dir, 'old2.json'), new Date(now - 30 * DAY), new Date(now - 30 * DAY));
  assert.equal(pruneCache(dir, limits, now + 60_000).ran, false, 'a minute later: skipped');
  assert.ok(existsSync(join(dir, 'old2.json')));
  assert.equal(pruneCache(dir, limits, now + 2 * 3600_000).removed, 1, 'after the interval: pruned again');
  assert.equal(pruneCache(join(dir, 'missing'), limits, now).ran, false, 'no cache: nothing to do, no error');
});

test('an entry used again is marked as used, so pruning by age keeps it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-ts-cache-'));
  const saved = process.env.CONCURRENCY_DIAGRAM_CACHE;
  process.env.CONCURRENCY_DIAGRAM_CACHE = dir;
  try {
    const file = join(dir, 'used.ts');
    const source = 'export const x: number = 1;\n';
    getTranspiled(file, source, 'cjs');
    const [entry] = readdirSync(cacheDir()).filter((n) => n.endsWith('.json'));
    assert.ok(entry);
    const old = new Date(Date.now() - 20 * DAY);
    utimesSync(join(dir, entry), old, old);
    getTranspiled(file, source, 'cjs');
    const r = pruneCache(dir, { maxAgeMs: 14 * DAY, maxBytes: 1 << 20, everyMs: 0 });
    assert.equal(r.removed, 0);
    assert.ok(existsSync(join(dir, entry)));
  } finally {
    if (saved === undefined) delete process.env.CONCURRENCY_DIAGRAM_CACHE;
    else process.env.CONCURRENCY_DIAGRAM_CACHE = saved;
  }
});
