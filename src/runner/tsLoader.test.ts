import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calleeColumn, decodeMappings, formatOf, lookupPosition } from './tsLoader';
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
  writeFileSync(join(root, 'cjs', 'package.json'), '{"name":"x"}');
  assert.equal(formatOf(join(root, 'esm', 'sub', 'a.ts')), 'esm');
  assert.equal(formatOf(join(root, 'esm', 'a.cts')), 'cjs');
  assert.equal(formatOf(join(root, 'cjs', 'a.ts')), 'cjs');
  assert.equal(formatOf(join(root, 'cjs', 'a.mts')), 'esm');
});
