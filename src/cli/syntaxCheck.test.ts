import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from './args';
import { checkSyntax, resolveTsImport } from './syntaxCheck';

/** A folder of files `{relative path: text}`. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-syntax-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A folder that passes checkSyntax's check for the compiler bundle (the compiler itself is found beside tsLoader). */
function runnerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-runner-'));
  writeFileSync(join(dir, 'typescript.js'), '');
  return dir;
}

test('relative imports resolve to the TypeScript file the runner\'s loader would load', () => {
  const dir = project({ 'a.ts': '', 'b.ts': '', 'c.mts': '', 'd/index.ts': '', 'e.cts': '', 'f.js': '' });
  const from = join(dir, 'main.ts');
  assert.equal(resolveTsImport(from, './a'), join(dir, 'a.ts'));
  assert.equal(resolveTsImport(from, './b.js'), join(dir, 'b.ts'));
  assert.equal(resolveTsImport(from, './c.mjs'), join(dir, 'c.mts'));
  assert.equal(resolveTsImport(from, './d'), join(dir, 'd', 'index.ts'));
  assert.equal(resolveTsImport(from, './e.cts'), join(dir, 'e.cts'));
  assert.equal(resolveTsImport(from, './f.js'), undefined, 'JavaScript stays JavaScript');
  assert.equal(resolveTsImport(from, './missing'), undefined);
});

test('the entry and the files it imports by literal path are compiled into the cache before the run', () => {
  const dir = project({
    'main.ts': "import { a } from './a.js';\nimport type { T } from './types';\nconst late = require('./c');\nconst t: T = a;\n",
    'a.ts': "export { b as a } from './sub/b';\n",
    'sub/b.ts': 'export const b: number = 1;\n',
    'types.ts': 'export type T = number;\n',
    'c.ts': 'export const c = 3;\n',
    'broken.ts': 'const = ;\n',
  });
  const cache = join(dir, '.cache');
  const saved = process.env.CONCURRENCY_DIAGRAM_CACHE;
  process.env.CONCURRENCY_DIAGRAM_CACHE = cache;
  try {
    checkSyntax(join(dir, 'main.ts'), runnerDir());
    assert.equal(readdirSync(cache).filter((n) => n.endsWith('.json')).length, 5, 'main, a, sub/b, types, c');
    // An entry with a syntax error is one clear line.
    assert.throws(() => checkSyntax(join(dir, 'broken.ts'), runnerDir()), (e: unknown) => e instanceof UsageError && /broken\.ts:1:7: /.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.CONCURRENCY_DIAGRAM_CACHE;
    else process.env.CONCURRENCY_DIAGRAM_CACHE = saved;
  }
});
