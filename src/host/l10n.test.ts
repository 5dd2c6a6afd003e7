// Every user-visible string has its Japanese translation: runtime strings (vscode.l10n.t) in
// l10n/bundle.l10n.ja.json, contribution strings (%key% in package.json) in package.nls*.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

function runtimeStrings(): Set<string> {
  const files = ['src/extension.ts', ...readdirSync(join(root, 'src/host')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `src/host/${f}`)];
  const out = new Set<string>();
  for (const f of files) {
    const re = /\b(?:t|vscode\.l10n\.t)\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;
    const s = read(f);
    for (let m = re.exec(s); m; m = re.exec(s)) out.add(m[2].replace(/\\(['"\\])/g, '$1'));
  }
  return out;
}

test('every runtime string has a Japanese translation with the same placeholders', () => {
  const ja = JSON.parse(read('l10n/bundle.l10n.ja.json')) as Record<string, string>;
  const strings = runtimeStrings();
  assert.ok(strings.size > 30, `found ${strings.size} strings`);
  for (const s of strings) {
    assert.ok(s in ja, `missing Japanese for ${JSON.stringify(s)}`);
    const ph = (x: string) => [...x.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
    assert.deepEqual(ph(ja[s]), ph(s), `placeholders of ${JSON.stringify(s)}`);
  }
  for (const k of Object.keys(ja)) assert.ok(strings.has(k), `unused translation ${JSON.stringify(k)}`);
});

test('every %key% of package.json is defined in English and Japanese', () => {
  const en = JSON.parse(read('package.nls.json')) as Record<string, string>;
  const ja = JSON.parse(read('package.nls.ja.json')) as Record<string, string>;
  const used = new Set([...read('package.json').matchAll(/"%([\w.]+)%"/g)].map((m) => m[1]));
  for (const k of used) {
    assert.ok(k in en, `package.nls.json lacks ${k}`);
    assert.ok(k in ja, `package.nls.ja.json lacks ${k}`);
  }
  for (const k of Object.keys(en)) assert.ok(used.has(k), `package.nls.json has unused ${k}`);
});
