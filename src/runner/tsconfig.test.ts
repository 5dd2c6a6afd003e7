import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, test } from 'node:test';
import { clearTsconfigCache, decoratorOptionsFor, DEFAULT_DECORATOR_OPTIONS, nearestTsconfig, parseJsonc, reportTsconfigProblems } from './tsconfig';
import { getTranspiled } from './tsLoader';

/** A temporary folder holding `files` (relative path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cd-tsconfig-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

afterEach(() => {
  reportTsconfigProblems(undefined);
  clearTsconfigCache();
});

const LEGACY = { experimentalDecorators: true, emitDecoratorMetadata: false };

test('tsconfig text: comments and trailing commas, but not inside strings', () => {
  const text = '\ufeff{ // note\n "a": "http://x/*y*/", /* block */ "b": [1, 2, ], "c": "x,]",\n}';
  assert.deepEqual(parseJsonc(text), { a: 'http://x/*y*/', b: [1, 2], c: 'x,]' });
  assert.throws(() => parseJsonc('{ "a": }'), SyntaxError);
});

test('the nearest tsconfig.json counts: the file\'s folder, else the nearest one above it', () => {
  const root = tree({
    'tsconfig.json': '{ "compilerOptions": { "experimentalDecorators": true } }',
    'sub/deeper/a.ts': '',
    'other/tsconfig.json': '{ "compilerOptions": { "strict": true } }',
    'other/b.ts': '',
  });
  assert.equal(nearestTsconfig(join(root, 'sub', 'deeper')), join(root, 'tsconfig.json'));
  assert.deepEqual(decoratorOptionsFor(join(root, 'sub', 'deeper', 'a.ts')), LEGACY);
  // A nearer tsconfig.json that says nothing of decorators means the defaults, not its parent's.
  assert.deepEqual(decoratorOptionsFor(join(root, 'other', 'b.ts')), DEFAULT_DECORATOR_OPTIONS);
});

test('extends: a relative path without .json, a list (later over earlier), a package, the file over its bases', () => {
  const root = tree({
    'base.json': '{ "compilerOptions": { "experimentalDecorators": true, "emitDecoratorMetadata": true } }',
    'node_modules/@acme/tsconfig/package.json': '{ "name": "@acme/tsconfig" }',
    'node_modules/@acme/tsconfig/tsconfig.json': '{ "compilerOptions": { "emitDecoratorMetadata": false } }',
    'node_modules/@acme/tsconfig/legacy.json': '{ "compilerOptions": { "experimentalDecorators": true } }',
    'a/tsconfig.json': '{ "extends": "../base" }',
    'b/tsconfig.json': '{ "extends": ["../base", "@acme/tsconfig"] }',
    'c/tsconfig.json': '{ "extends": "@acme/tsconfig/legacy.json" }',
    'd/tsconfig.json': '{ "extends": "../base.json", "compilerOptions": { "experimentalDecorators": false } }',
  });
  assert.deepEqual(decoratorOptionsFor(join(root, 'a', 'x.ts')), { experimentalDecorators: true, emitDecoratorMetadata: true });
  assert.deepEqual(decoratorOptionsFor(join(root, 'b', 'x.ts')), LEGACY);
  assert.deepEqual(decoratorOptionsFor(join(root, 'c', 'x.ts')), LEGACY);
  assert.deepEqual(decoratorOptionsFor(join(root, 'd', 'x.ts')), { experimentalDecorators: false, emitDecoratorMetadata: true });
});

test('a tsconfig.json that cannot be used means the defaults, told once; a missing base or a cycle is told too', () => {
  const root = tree({
    'bad/tsconfig.json': '{ "compilerOptions": { "experimentalDecorators": true ',
    'cycle/tsconfig.json': '{ "extends": "./other.json", "compilerOptions": { "experimentalDecorators": true } }',
    'cycle/other.json': '{ "extends": "./tsconfig.json" }',
    'missing/tsconfig.json': '{ "extends": "@nowhere/tsconfig", "compilerOptions": { "experimentalDecorators": "yes" } }',
  });
  const told: string[] = [];
  reportTsconfigProblems((m) => told.push(m));
  assert.deepEqual(decoratorOptionsFor(join(root, 'bad', 'a.ts')), DEFAULT_DECORATOR_OPTIONS);
  assert.deepEqual(decoratorOptionsFor(join(root, 'bad', 'b.ts')), DEFAULT_DECORATOR_OPTIONS);
  assert.deepEqual(told, [`${join(root, 'bad', 'tsconfig.json')}: cannot be used (not valid JSON); TypeScript's default options apply`]);
  assert.deepEqual(decoratorOptionsFor(join(root, 'cycle', 'a.ts')), LEGACY);
  assert.match(told[1], /cycle.tsconfig\.json: its "extends" leads back to itself/);
  assert.deepEqual(decoratorOptionsFor(join(root, 'missing', 'a.ts')), DEFAULT_DECORATOR_OPTIONS);
  assert.match(told[2], /"extends" names "@nowhere\/tsconfig", which was not found; ignored$/);
  assert.match(told[3], /"experimentalDecorators" is not true or false; ignored$/);
  assert.equal(told.length, 4);
});

test('the same source compiles to standard or legacy decorators by its tsconfig.json, each cached apart', () => {
  const saved = process.env.CONCURRENCY_DIAGRAM_CACHE;
  process.env.CONCURRENCY_DIAGRAM_CACHE = mkdtempSync(join(tmpdir(), 'cd-tsconfig-cache-'));
  try {
    const source = 'function d(..._a: unknown[]): void {}\nclass A {\n  @d m(): void {}\n}\n';
    const root = tree({ 'legacy/tsconfig.json': '{ "compilerOptions": { "experimentalDecorators": true } }', 'legacy/a.ts': source, 'standard/a.ts': source });
    const legacy = getTranspiled(join(root, 'legacy', 'a.ts'), source, 'cjs').code;
    const standard = getTranspiled(join(root, 'standard', 'a.ts'), source, 'cjs').code;
    assert.match(legacy, /__decorate\(/);
    assert.doesNotMatch(legacy, /__esDecorate/);
    assert.match(standard, /__esDecorate\(/);
    // Same path and content, the other option: a cache entry of its own, not the first output.
    clearTsconfigCache();
    writeFileSync(join(root, 'standard', 'tsconfig.json'), '{ "compilerOptions": { "experimentalDecorators": true } }');
    assert.match(getTranspiled(join(root, 'standard', 'a.ts'), source, 'cjs').code, /__decorate\(/);
  } finally {
    if (saved === undefined) delete process.env.CONCURRENCY_DIAGRAM_CACHE;
    else process.env.CONCURRENCY_DIAGRAM_CACHE = saved;
  }
});
