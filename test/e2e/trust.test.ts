// Workspace Trust in a real VS Code (code-server + chromium, see harness.ts) with the packaged VSIX
// installed: the server runs with trust on, the examples folder opens in Restricted Mode (no startup
// prompt, so it stays untrusted), and "Show Concurrency Diagram" on examples/fetchLocalhost.ts shows
// the explanation from runController.checkTrust instead of running anything: no diagram panel, no
// script process. Every step leaves a screenshot test/output/e2e/trust-*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageExtension, repoRoot, skipUnlessHarness, VsCodeSession } from './harness';

const skip = skipUnlessHarness();
const examples = join(repoRoot, 'examples');
const command = 'Show Concurrency Diagram';

/** The Restricted Mode message, read from the source so the test follows its wording. */
function restrictedMessage(): string {
  const src = readFileSync(join(repoRoot, 'src', 'host', 'runController.ts'), 'utf8');
  const m = /t\(\s*'(Running scripts is disabled in Restricted Mode[^']*)'/.exec(src);
  if (!m) throw new Error('src/host/runController.ts has no Restricted Mode message');
  return m[1];
}

/** Command lines of the processes in the server's process group (it runs detached, in its own group). */
function serverGroupProcesses(vs: VsCodeSession): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  const rows = ps.stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: m[1], pgid: m[2], args: m[3] }));
  const server = rows.find((r) => r.args.includes(vs.userDataDir) && r.pid === r.pgid);
  if (!server) throw new Error('the code-server process is not in the process list');
  return rows.filter((r) => r.pgid === server.pgid).map((r) => r.args);
}

describe('Workspace Trust: in Restricted Mode nothing runs, with an explanation', { skip }, () => {
  let vs: VsCodeSession;
  before(async () => {
    const vsix = packageExtension();
    vs = await VsCodeSession.start({
      name: 'trust',
      vsix: [vsix],
      workspaceTrust: true,
      settings: {
        'security.workspace.trust.enabled': true,
        // No modal prompt: an untrusted folder then opens in Restricted Mode.
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.untrustedFiles': 'open',
        'security.workspace.trust.banner': 'never',
      },
    });
    await vs.openFolder(examples, 'fetchLocalhost.ts');
    await vs.screenshot('workspace');
  });
  after(async () => {
    await vs?.close();
  });

  test('"Show Concurrency Diagram" on fetchLocalhost.ts explains Restricted Mode; no panel, no script', async () => {
    try {
      // The window really is untrusted: the workbench shows its Restricted Mode status bar item.
      const restricted = vs.page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' }).first();
      await restricted.waitFor({ timeout: 30_000 });

      await vs.quickOpen('fetchLocalhost.ts');
      await vs.page.locator('.monaco-editor .view-line', { hasText: 'fetch(' }).first().waitFor();
      await vs.screenshot('editor');
      await vs.runCommand(command);

      const message = restrictedMessage();
      const toast = vs.page.locator('.notification-toast', { hasText: 'Running scripts is disabled in Restricted Mode' }).first();
      await toast.waitFor({ timeout: 30_000 });
      const text = (await toast.locator('.notification-list-item-message').innerText()).trim();
      assert.equal(text, message);
      await toast.getByRole('button', { name: 'Manage Workspace Trust' }).waitFor();

      // Give a (wrongly) started run time to open its panel and spawn the script.
      await new Promise((r) => setTimeout(r, 5_000));
      await vs.screenshot('refused');
      assert.equal(await vs.page.locator('iframe.webview').count(), 0, 'no webview (diagram panel) opened');
      assert.deepEqual(await vs.activeTabs(), ['fetchLocalhost.ts'], 'only the script editor is open');
      const scripts = serverGroupProcesses(vs).filter((a) => a.includes('fetchLocalhost'));
      assert.deepEqual(scripts, [], 'no process runs the script');
      assert.ok(await restricted.isVisible(), 'still in Restricted Mode');
    } catch (e) {
      await vs.screenshot('FAILED');
      throw e;
    }
  });
});
