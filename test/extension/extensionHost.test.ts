// Runs the extension-host suite (test/extension/suite/index.js, exporting `run()`) inside a real VS Code
// (code-server, see test/e2e/harness.ts) with the extension of this repository loaded in development
// mode, and fails unless the suite reports exit code 0. The suite's own output is printed either way.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, skipUnlessHarness, VsCodeSession } from '../e2e/harness';

const suite = process.env.EXTENSION_SUITE ?? join(repoRoot, 'test', 'extension', 'suite', 'index.js');
const workspace = join(repoRoot, 'examples');

test('extension-host suite passes in code-server', { skip: skipUnlessHarness(), timeout: 360_000 }, async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'extension.js')), 'dist/extension.js is missing: run `node scripts/build.mjs` (scripts/test.mjs does it first)');
  assert.ok(existsSync(suite), `the extension-host suite ${suite} is missing: it must be built to a CommonJS module exporting run()`);
  const vs = await VsCodeSession.start({ name: 'extension-host' });
  try {
    const r = await vs.runExtensionTests({ extensionDevelopmentPath: repoRoot, extensionTestsPath: suite, folder: workspace });
    console.log(`--- extension-host suite output (exit code ${r.code}) ---\n${r.output}\n--- end of suite output ---`);
    assert.equal(r.code, 0, `the extension-host suite failed (exit code ${r.code}); its output is printed above`);
  } finally {
    await vs.close();
  }
});
