// Proves the harness itself with a tiny probe extension (test/e2e/fixtures/probeExtension), so that a
// failure of the product's UI test can be told apart from a broken harness: VSIX install, workbench
// ready, command palette, webview frames, click → editor selection, status bar, screenshots.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { outputDir, repoRoot, skipUnlessHarness, VsCodeSession } from './harness';

const skip = skipUnlessHarness();
const fixtures = join(repoRoot, 'test', 'e2e', 'fixtures');

/** Packs the probe extension with vsce into test/output/e2e/. */
function packProbe(): string {
  mkdirSync(outputDir, { recursive: true });
  const out = join(outputDir, 'harness-probe.vsix');
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: join(fixtures, 'probeExtension'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `vsce package of the probe failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(out));
  return out;
}

describe('real-VS-Code harness (probe extension)', { skip }, () => {
  let vs: VsCodeSession;
  before(async () => {
    vs = await VsCodeSession.start({ name: 'harness', vsix: [packProbe()] });
  });
  after(async () => {
    await vs?.close();
  });

  test('command palette → webview button → editor selection, read from the status bar', async () => {
    const workspace = join(fixtures, 'probeWorkspace');
    await vs.openFolder(workspace, 'sample.txt');
    await vs.screenshot('workbench');
    await vs.quickOpen('sample.txt');
    await vs.runCommand('Open Probe Panel');
    const button = vs.webview().getByRole('button', { name: 'Reveal line 3' });
    await button.waitFor({ timeout: 30_000 });
    await vs.screenshot('panel');
    await button.click();
    const pos = await vs.waitForCursorLine(3);
    assert.deepEqual(pos, { line: 3, column: 5, selected: 0 });
    assert.deepEqual((await vs.activeTabs())[0], 'sample.txt');
    await vs.screenshot('revealed');
  });
});

describe('real-VS-Code harness: extension-host suites (probe extension)', { skip }, () => {
  const probe = join(fixtures, 'probeExtension');
  for (const [name, fail] of [['passing suite → exit code 0', false], ['failing suite → non-zero exit code', true]] as const) {
    test(name, async () => {
      // The suite reads PROBE_SUITE_FAIL in the extension host, which inherits the server's environment.
      const vs = await VsCodeSession.start({ name: fail ? 'harness-suite-fail' : 'harness-suite', env: fail ? { PROBE_SUITE_FAIL: '1' } : {} });
      try {
        const r = await vs.runExtensionTests({ extensionDevelopmentPath: probe, extensionTestsPath: join(probe, 'suite.js'), folder: join(fixtures, 'probeWorkspace') });
        if (fail) {
          assert.notEqual(r.code, 0, r.output);
          assert.match(r.output, /probe suite asked to fail/);
        } else {
          assert.equal(r.code, 0, r.output);
          assert.match(r.output, /probe suite: 2 checks passed/);
        }
      } finally {
        await vs.close();
      }
    });
  }
});
