/**
 * A real VS Code for tests: code-server 4.100.3 (VS Code 1.100.3) installed by `test/e2e/install.sh`,
 * driven through Debian's chromium with playwright-core. Used by the UI tests in this folder and by the
 * extension-host runner in `test/extension/`.
 *
 * Every session gets fresh state (user data, extensions, HOME and XDG folders in one temp folder), a
 * free port on 127.0.0.1 and quiet settings; {@link VsCodeSession.close} kills the server's whole
 * process group and the browser even when a test failed half way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';

// The repository is CommonJS (no "type": "module"), so tsx gives this file __dirname.
const here = __dirname;
/** Root of the extension's repository. */
export const repoRoot = resolve(here, '..', '..');
/** Where screenshots and server logs of the UI tests go (git-ignored). */
export const outputDir = join(repoRoot, 'test', 'output', 'e2e');
/** The code-server entry script installed by install.sh. */
export const codeServerEntry = join(here, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
/** The browser the harness drives. */
export const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const installMarker = join(here, 'node_modules', '.harness-installed');

/** Why the harness cannot run here, or undefined when it is installed. */
export function harnessMissing(): string | undefined {
  if (!existsSync(installMarker) || !existsSync(codeServerEntry)) {
    return `code-server is not installed in ${join(here, 'node_modules')} (run: sudo bash test/e2e/install.sh)`;
  }
  if (!existsSync(chromiumPath)) return `no chromium at ${chromiumPath} (run: sudo bash test/e2e/install.sh)`;
  return undefined;
}

/**
 * The `skip` option for a real-VS-Code test: undefined when the harness is installed. Locally a
 * missing harness skips with a loud message; in CI (`CI=true`) it throws, so the suite fails instead of
 * silently testing nothing.
 */
export function skipUnlessHarness(): string | undefined {
  const missing = harnessMissing();
  if (!missing) return undefined;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`real-VS-Code tests cannot run in CI: ${missing}`);
  }
  const bar = '!'.repeat(100);
  console.error(`\n${bar}\n!! SKIPPING real-VS-Code tests: ${missing}\n${bar}\n`);
  return `harness not installed: ${missing}`;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; released before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Settings that keep the workbench quiet and deterministic: no trust prompt, no welcome page. */
export const quietSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

/** Servers and temp folders still alive, cleaned up synchronously if the test process is ended early. */
const live = new Map<string, number | undefined>();
let exitHooked = false;

function cleanupAtExit(): void {
  for (const [root, pid] of live) {
    if (pid) killGroup(pid, 'SIGKILL');
    try {
      rmSync(root, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  }
  live.clear();
}

/** The server runs in its own process group, so it would outlive a test runner that is killed. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', cleanupAtExit);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupAtExit();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

/** Options of {@link VsCodeSession.start}. */
export interface SessionOptions {
  /** Short name used for the screenshot and log file names. */
  name: string;
  /** VSIX files to install before the server starts. */
  vsix?: string[];
  /** Extra user settings (merged over {@link quietSettings}). */
  settings?: Record<string, unknown>;
  /** Extra environment of the server (its extension hosts and the scripts they run inherit it). */
  env?: Record<string, string>;
  /** Viewport of the browser page. */
  viewport?: { width: number; height: number };
  /**
   * Leaves Workspace Trust on in the server (no `--disable-workspace-trust`); the user settings still
   * decide whether it is enabled (`security.workspace.trust.enabled`). Default false.
   */
  workspaceTrust?: boolean;
}

/** One running code-server plus one chromium page connected to it. */
export class VsCodeSession {
  /** The workbench page. */
  page!: Page;
  /** Browser context (persistent profile in the temp folder). */
  context!: BrowserContext;
  /** Port code-server listens on (127.0.0.1). */
  port = 0;
  /** Temp folder holding every piece of state of this session. */
  readonly root: string;
  /** `--user-data-dir` of the server. */
  readonly userDataDir: string;
  /** `--extensions-dir` of the server. */
  readonly extensionsDir: string;
  /** Everything the server printed, for failure messages. */
  serverLog = '';
  private server?: ChildProcess;
  private shot = 0;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(readonly options: SessionOptions) {
    this.root = mkdtempSync(join(tmpdir(), `cd-e2e-${options.name}-`));
    this.userDataDir = join(this.root, 'user-data');
    this.extensionsDir = join(this.root, 'extensions');
    const home = join(this.root, 'home');
    for (const d of [this.userDataDir, this.extensionsDir, home, join(home, '.config'), join(home, '.cache'), join(home, '.local', 'share')]) {
      mkdirSync(d, { recursive: true });
    }
    // code-server, VS Code and chromium all write below ~ and XDG folders unless told otherwise.
    this.env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_RUNTIME_DIR: join(this.root, 'run'),
      // A developer's own code-server config or password must not leak into the test.
      PASSWORD: undefined,
      HASHED_PASSWORD: undefined,
      VSCODE_IPC_HOOK_CLI: undefined,
      ELECTRON_RUN_AS_NODE: undefined,
      ...options.env,
    };
    mkdirSync(join(this.root, 'run'), { recursive: true, mode: 0o700 });
    mkdirSync(outputDir, { recursive: true });
    hookExit();
    live.set(this.root, undefined);
  }

  /** Installs the VSIXs, starts code-server and opens chromium (no page loaded yet). */
  static async start(options: SessionOptions): Promise<VsCodeSession> {
    const s = new VsCodeSession(options);
    try {
      mkdirSync(join(s.userDataDir, 'User'), { recursive: true });
      writeFileSync(join(s.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...options.settings }, null, 2));
      for (const vsix of options.vsix ?? []) s.installExtension(vsix);
      // The free port is released before code-server binds it; another process may take it meanwhile.
      for (let attempt = 1; ; attempt++) {
        try {
          await s.startServer();
          break;
        } catch (e) {
          if (attempt >= 3 || !/EADDRINUSE/.test(s.serverLog)) throw e;
          s.serverLog = '';
        }
      }
      await s.launchBrowser();
      return s;
    } catch (e) {
      await s.close();
      throw e;
    }
  }

  private codeServerArgs(): string[] {
    return ['--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  /** `code-server --install-extension`, synchronously; throws with the server's output on failure. */
  installExtension(vsix: string): void {
    if (!existsSync(vsix)) throw new Error(`VSIX not found: ${vsix}`);
    const r = spawnSync(process.execPath, [codeServerEntry, ...this.codeServerArgs(), '--install-extension', vsix], {
      env: this.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0 || !/successfully installed/i.test(out)) {
      throw new Error(`installing ${vsix} into code-server failed (exit ${r.status}):\n${out}`);
    }
  }

  private async startServer(): Promise<void> {
    this.port = await freePort();
    const args = [
      codeServerEntry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${this.port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(this.options.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ...this.codeServerArgs(),
    ];
    // Own process group (detached), so close() can kill the server and every extension host it forked.
    const server = spawn(process.execPath, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = server;
    live.set(this.root, server.pid);
    const logFile = createWriteStream(join(outputDir, `${this.options.name}-server.log`));
    const onData = (b: Buffer) => {
      const text = b.toString();
      // Bounded: a chatty server must not eat the test's memory.
      if (this.serverLog.length < 200_000) this.serverLog += text;
      logFile.write(text);
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', () => logFile.end());
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) {
        throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before it was ready:\n${this.serverLog}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s:\n${this.serverLog}`);
      await sleep(200);
    }
  }

  private async launchBrowser(): Promise<void> {
    this.context = await chromium.launchPersistentContext(join(this.root, 'chromium-profile'), {
      executablePath: chromiumPath,
      headless: true,
      env: this.env as Record<string, string>,
      viewport: this.options.viewport ?? { width: 1600, height: 1000 },
      // Playwright manages --user-data-dir itself; these keep chromium offline and quiet.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.page.setDefaultTimeout(30_000);
  }

  /** http://127.0.0.1:PORT */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A `vscode-remote://` URI of a path on the server's machine, as the workbench's payload expects. */
  remoteUri(absPath: string): string {
    return `vscode-remote://127.0.0.1:${this.port}${absPath.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The workbench URL for a folder, optionally with a `payload` (extension development/tests paths). */
  workbenchUrl(folder: string, payload?: [string, string][]): string {
    let url = `${this.baseUrl}/?folder=${encodeURIComponent(folder)}`;
    if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
  }

  /**
   * Opens the workbench on a folder and waits until the explorer shows `knownFile` (a top-level entry
   * of the folder): then the remote extension host is connected.
   */
  async openFolder(folder: string, knownFile: string): Promise<void> {
    await this.page.goto(this.workbenchUrl(folder));
    await this.waitForWorkbench(knownFile);
  }

  /** Waits for the explorer tree item named `knownFile`. */
  async waitForWorkbench(knownFile: string): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await this.page.getByRole('treeitem', { name: knownFile }).first().waitFor({ timeout: 60_000 });
  }

  /** Opens a file of the explorer in the editor (single click previews, so double-click to pin it). */
  async openFileFromExplorer(name: string): Promise<void> {
    const item = this.page.getByRole('treeitem', { name }).first();
    await item.dblclick();
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor();
  }

  /** Opens a file through Quick Open (Ctrl+P): works for files in sub-folders too. */
  async quickOpen(name: string): Promise<void> {
    await this.editorFocus();
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(name);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).first().waitFor();
  }

  private async editorFocus(): Promise<void> {
    // Key bindings typed while a webview has focus go to the webview's page first; clicking the text of
    // the first editor (or the status bar when no editor is open) gives the workbench the focus back.
    const text = this.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first();
    if (await text.isVisible().catch(() => false)) await text.click({ timeout: 5_000 }).catch(() => undefined);
    else await this.page.locator('.part.statusbar').click({ position: { x: 400, y: 5 }, timeout: 5_000 }).catch(() => undefined);
  }

  /**
   * Runs a command from the command palette by its title. The palette does not refresh when an
   * extension's contributions arrive after it was opened, so this retries (Escape, wait, again) for up
   * to `timeoutMs`; without the retry about one run in four fails.
   */
  async runCommand(title: string, timeoutMs = 45_000): Promise<void> {
    await this.editorFocus();
    const deadline = Date.now() + timeoutMs;
    const input = this.page.locator('.quick-input-widget input');
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ timeout: 3_000 });
        await this.page.keyboard.press('Enter');
        return;
      } catch {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`command "${title}" not in the command palette after ${attempt} attempts`);
        await sleep(1_000);
      }
    }
  }

  /**
   * The content frame of a webview: VS Code nests it as `iframe.webview.ready` → `#active-frame`.
   * `index` picks among several open webviews (-1 = the last one).
   */
  webview(index = -1): FrameLocator {
    const outer = this.page.locator('iframe.webview.ready');
    const pick = index < 0 ? outer.last() : outer.nth(index);
    return pick.contentFrame().frameLocator('#active-frame');
  }

  /**
   * Cursor position from the status bar (`Ln 5, Col 1`, plus `(3 selected)` when a range is selected),
   * or undefined when no editor shows it.
   */
  async cursor(): Promise<{ line: number; column: number; selected: number } | undefined> {
    const item = this.page.locator('[id="status.editor.selection"]');
    if (!(await item.isVisible())) return undefined;
    const text = (await item.innerText()).trim();
    const m = /Ln (\d+), Col (\d+)(?: \((\d+) selected\))?/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]), selected: Number(m[3] ?? 0) } : undefined;
  }

  /** Waits until the status bar shows the cursor on `line` (any column); returns the position. */
  async waitForCursorLine(line: number, timeoutMs = 15_000): Promise<{ line: number; column: number; selected: number }> {
    const deadline = Date.now() + timeoutMs;
    let last: { line: number; column: number; selected: number } | undefined;
    while (Date.now() < deadline) {
      last = await this.cursor();
      if (last?.line === line) return last;
      await sleep(200);
    }
    throw new Error(`cursor not on line ${line} within ${timeoutMs} ms; status bar says ${last ? `Ln ${last.line}, Col ${last.column}` : 'nothing'}`);
  }

  /**
   * Runs an extension-host test suite the way `@vscode/test-electron` would, inside this server: the
   * workbench loads `extensionDevelopmentPath` in development mode and calls `run()` of the module at
   * `extensionTestsPath` in the (remote) extension host, then reports the exit code through
   * `window.codeAutomationExit`. Resolves with that code and what the extension host logged.
   */
  async runExtensionTests(opts: { extensionDevelopmentPath: string; extensionTestsPath: string; folder: string; timeoutMs?: number }): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    // The extension host forwards its console to the workbench page in development mode.
    this.page.on('console', (m) => lines.push(m.text().replace(/%c/g, '').replace(/\s*color: [^\s]+;?/g, '')));
    this.page.on('pageerror', (e) => lines.push(`[page error] ${e.message}`));
    let done!: (code: number) => void;
    const exited = new Promise<number>((r) => (done = r));
    await this.page.exposeFunction('codeAutomationExit', (code: unknown) => {
      done(typeof code === 'number' ? code : Number(code));
    });
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', this.remoteUri(opts.extensionDevelopmentPath)],
      ['extensionTestsPath', this.remoteUri(opts.extensionTestsPath)],
    ];
    await this.page.goto(this.workbenchUrl(opts.folder, payload));
    const timeoutMs = opts.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extension-host suite did not finish within ${timeoutMs / 1000} s:\n${lines.join('\n')}\n--- server log ---\n${this.serverLog}`)), timeoutMs);
    });
    try {
      const code = await Promise.race([exited, timeout]);
      return { code, output: lines.join('\n') };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Title of the active tab of each editor group, left to right. */
  async activeTabs(): Promise<string[]> {
    const tabs = this.page.locator('.editor-group-container .tabs-container .tab.active .label-name');
    return (await tabs.allInnerTexts()).map((t) => t.trim());
  }

  /** Saves a numbered full-page screenshot to test/output/e2e/ and returns its path. */
  async screenshot(step: string): Promise<string> {
    this.shot++;
    const file = join(outputDir, `${this.options.name}-${String(this.shot).padStart(2, '0')}-${step}.png`);
    await this.page.screenshot({ path: file }).catch((e: unknown) => console.error(`screenshot ${file} failed: ${String(e)}`));
    return file;
  }

  /** Closes the browser, kills the server's process group and removes the temp folder. Never throws. */
  async close(): Promise<void> {
    if (this.context) {
      await Promise.race([this.context.close().catch(() => undefined), sleep(10_000)]);
    }
    const server = this.server;
    if (server?.pid && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((r) => server.once('exit', () => r()));
      killGroup(server.pid, 'SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
    }
    // Extension hosts and the scripts they ran share the group; make sure nothing outlives the test.
    if (server?.pid) killGroup(server.pid, 'SIGKILL');
    try {
      rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a leftover temp folder is not worth failing a test for
    }
    live.delete(this.root);
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Packages the extension of the repository into a VSIX with `@vscode/vsce` (offline, no prompts) and
 * returns its path. `E2E_VSIX` names a ready VSIX instead (e.g. the one `npm run package` made).
 */
export function packageExtension(): string {
  const ready = process.env.E2E_VSIX;
  if (ready) {
    if (!existsSync(ready)) throw new Error(`E2E_VSIX=${ready} does not exist`);
    return resolve(ready);
  }
  const out = join(outputDir, 'concurrency-diagram.vsix');
  mkdirSync(outputDir, { recursive: true });
  rmSync(out, { force: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  // dist/ was built by scripts/test.mjs; packaging only zips it (no prepublish step exists).
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '-o', out], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (r.status !== 0 || !existsSync(out)) {
    throw new Error(`vsce package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

/** Reads a text file of the repository (e.g. an example) as lines, 1-based access by `lines[n - 1]`. */
export function readLines(absPath: string): string[] {
  return readFileSync(absPath, 'utf8').split(/\r?\n/);
}

/** The 1-based number of the first line containing `needle`; throws when there is none. */
export function lineOf(absPath: string, needle: string | RegExp): number {
  const lines = readLines(absPath);
  const i = lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
  if (i < 0) throw new Error(`${absPath} has no line matching ${String(needle)}`);
  return i + 1;
}
