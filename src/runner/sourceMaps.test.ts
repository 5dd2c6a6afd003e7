import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { mapThroughSourceMap, sourceMappingUrl } from './sourceMaps';

// One segment per line: line 1 col 0 → source 0 line 1 col 0; line 2 col 4 → source 1 line 3 col 2.
const MAPPINGS = 'AAAA;ICEE';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cd-maps-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'a\n');
  writeFileSync(join(dir, 'src', 'b.ts'), 'b\nb\nb\n');
  return dir;
}

test('the URL of the last sourceMappingURL comment', () => {
  assert.equal(sourceMappingUrl('x\n//# sourceMappingURL=app.js.map\n'), 'app.js.map');
  assert.equal(sourceMappingUrl('x\n//@ sourceMappingURL=old.map'), 'old.map');
  assert.equal(sourceMappingUrl('//# sourceMappingURL=a.map\nx\n//# sourceMappingURL=b.map'), 'b.map');
  assert.equal(sourceMappingUrl('const s = "//# sourceMappingURL=x.map"; go();'), undefined);
  assert.equal(sourceMappingUrl('no map'), undefined);
});

test('a map file beside the output, with a sourceRoot: positions in the original files', () => {
  const dir = project();
  const js = join(dir, 'out', 'app.js');
  writeFileSync(js, 'first();\n    second();\n//# sourceMappingURL=app.js.map\n');
  writeFileSync(join(dir, 'out', 'app.js.map'), JSON.stringify({ version: 3, sourceRoot: '../src', sources: ['a.ts', 'b.ts'], mappings: MAPPINGS }));
  assert.deepEqual(mapThroughSourceMap(js, 1, 1), { file: join(dir, 'src', 'a.ts'), line: 1, column: 1 });
  assert.deepEqual(mapThroughSourceMap(js, 2, 9), { file: join(dir, 'src', 'b.ts'), line: 3, column: 3 });
  // A line with no mapping keeps its own position.
  assert.equal(mapThroughSourceMap(js, 3, 1), undefined);
});

test('an inline map (a bundle), and sources that cannot be opened', () => {
  const dir = project();
  const js = join(dir, 'out', 'bundle.js');
  const map = { version: 3, sources: ['../src/a.ts', 'https://example.com/b.ts'], mappings: MAPPINGS };
  writeFileSync(js, `first();\n    second();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
  assert.deepEqual(mapThroughSourceMap(js, 1, 1), { file: join(dir, 'src', 'a.ts'), line: 1, column: 1 });
  assert.equal(mapThroughSourceMap(js, 2, 5), undefined, 'a source on the web is no place to open');
  const gone = join(dir, 'out', 'gone.js');
  writeFileSync(gone, `x();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ version: 3, sources: ['../src/missing.ts'], mappings: 'AAAA' })).toString('base64')}\n`);
  assert.equal(mapThroughSourceMap(gone, 1, 1), undefined, 'a source that is not there');
});

test('no map, a broken map, or not JavaScript: no mapping, no error', () => {
  const dir = project();
  const plain = join(dir, 'out', 'plain.js');
  writeFileSync(plain, 'x();\n');
  assert.equal(mapThroughSourceMap(plain, 1, 1), undefined);
  const broken = join(dir, 'out', 'broken.js');
  writeFileSync(broken, 'x();\n//# sourceMappingURL=broken.js.map\n');
  writeFileSync(join(dir, 'out', 'broken.js.map'), '{ not json');
  assert.equal(mapThroughSourceMap(broken, 1, 1), undefined);
  const missing = join(dir, 'out', 'missing.js');
  writeFileSync(missing, 'x();\n//# sourceMappingURL=nowhere.map\n');
  assert.equal(mapThroughSourceMap(missing, 1, 1), undefined);
  assert.equal(mapThroughSourceMap(join(dir, 'src', 'a.ts'), 1, 1), undefined);
});

test('the callee of a CommonJS call of an imported binding, not its argument list', () => {
  const dir = project();
  const js = join(dir, 'out', 'cjs.js');
  // `    (0, b_1.go)(1);`: V8 puts the call at `(1)`, column 16; the map has the callee at column 13.
  writeFileSync(js, `x();\n    (0, b_1.go)(1);\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ version: 3, sources: ['../src/b.ts'], mappings: 'AAAA;IAAE,QAAE,GAAE' })).toString('base64')}\n`);
  assert.deepEqual(mapThroughSourceMap(js, 2, 16), { file: join(dir, 'src', 'b.ts'), line: 1, column: 5 });
});
