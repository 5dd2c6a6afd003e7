/**
 * Extension-host tests of Concurrency Diagram, run inside a real VS Code (code-server) with the
 * real `vscode` API: command registration, settings, message validation, revealing a range,
 * Workspace Trust, and full runs of scripts through the CLI. Entry point: {@link run}.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunController } from '../../../src/host/runController';
import { parseFromWebview } from '../../../src/trace/protocol';
import { runAll, test, waitFor } from './harness';

const EXTENSION_ID = 'concurrency-diagram.concurrency-diagram';

const COMMANDS = [
  'concurrencyDiagram.show',
  'concurrencyDiagram.runWithArguments',
  'concurrencyDiagram.stop',
  'concurrencyDiagram.rerun',
  'concurrencyDiagram.openTrace',
  'concurrencyDiagram.exportTrace',
  'concurrencyDiagram.selectOps',
];

const dir = mkdtempSync(join(tmpdir(), 'cd-suite-'));

/** A source file outside the workspace, and a saved trace whose stacks point into it. */
const sourceFile = join(dir, 'sample.ts');
const sourceText = [
  "import { readFile } from 'node:fs/promises';",
  '',
  "export async function load(): Promise<string> { return readFile('a.txt', 'utf8'); }",
  'const w = new Worker(new URL("x", import.meta.url));',
  '',
].join('\n');
writeFileSync(sourceFile, sourceText);
const readFileColumn = sourceText.split('\n')[2].indexOf('readFile(') + 1;
const workerColumn = sourceText.split('\n')[3].indexOf('new Worker') + 1;
const traceFile = join(dir, 'saved.cdtrace');
writeFileSync(
  traceFile,
  [
    ['H', { format: 'concurrency-diagram-trace', version: 1, originNs: '0', originWallMs: 0, writer: 'suite' }],
    ['@', 42, 0],
    ['R', { node: 'v20.0.0', platform: 'linux', arch: 'x64', pid: 42, script: sourceFile, args: [], cwd: dir, threadpoolSize: 4, ts: 1 }],
    ['T', 0, 'main', 'main', 42, 1],
    ['F', 1, sourceFile],
    ['F', 2, 'node:internal/fs/promises'],
    ['K', 1, [1, 3, readFileColumn, 'load']],
    ['K', 2, [1, 3, readFileColumn, 'load', 2, 450, 10, 'readFile']],
    ['Y', 1, 'FSREQPROMISE'],
    ['I', 5, 1, 1, 100, 1],
    ['B', 5, 900],
    ['A', 5, 950],
    ['I', 6, 1, 1, 120, 2],
    ['@', 42, -1],
    ['Q', 1000, { exitCode: 0, signal: null }],
  ]
    .map((r) => JSON.stringify(r))
    .join('\n') + '\n',
);

async function api(): Promise<RunController> {
  const ext = vscode.extensions.getExtension<RunController>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
  return ext.activate();
}

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

test('all commands are registered', async () => {
  await api();
  const all = new Set(await vscode.commands.getCommands(true));
  for (const c of COMMANDS) assert.ok(all.has(c), `${c} is registered`);
});

test('contributions: category, icons on title-bar commands, localized titles resolved', () => {
  const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
  const cmds: { command: string; title: string; category: string; icon?: string }[] = pkg.contributes.commands;
  for (const c of cmds) {
    assert.equal(c.category, 'Concurrency Diagram', `${c.command} has the category`);
    assert.ok(!c.title.startsWith('%'), `${c.command} title is resolved (${c.title})`);
  }
  const show = cmds.find((c) => c.command === 'concurrencyDiagram.show');
  assert.equal(show?.title, 'Show Concurrency Diagram');
  assert.equal(cmds.find((c) => c.command === 'concurrencyDiagram.runWithArguments')?.title, 'Run with Arguments…');
  assert.ok(show?.icon, 'the editor-title command has an icon');
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});

test('settings have their defaults', () => {
  const cfg = vscode.workspace.getConfiguration('concurrencyDiagram');
  assert.equal(cfg.get('nodePath'), 'node');
  assert.equal(cfg.get('cwd'), '');
  assert.deepEqual(cfg.get('args'), []);
  assert.deepEqual(cfg.get('env'), {});
  assert.deepEqual(cfg.get('runtimeArgs'), []);
  assert.equal(cfg.get('threadpoolSize'), null);
  assert.equal(cfg.get('overheadLimit'), true);
  assert.equal(cfg.get('output'), 'outputChannel');
  assert.equal(cfg.get('reusePanel'), true);
  assert.equal(cfg.get('codeLens'), true);
});

test('webview messages: malformed ones are rejected by the protocol parser', () => {
  assert.equal(parseFromWebview({ type: 'revealSource', file: sourceFile, line: 0, column: 1 }), undefined);
  assert.equal(parseFromWebview({ type: 'revealSource', file: 7, line: 1, column: 1 }), undefined);
  assert.equal(parseFromWebview({ type: 'runScript', file: sourceFile }), undefined);
  assert.equal(parseFromWebview('revealSource'), undefined);
  assert.deepEqual(parseFromWebview({ type: 'revealSource', file: sourceFile, line: 3, column: 5 }), { type: 'revealSource', file: sourceFile, line: 3, column: 5, toSide: false });
  // The page can open one setting only: a setting id it sends along is dropped.
  assert.deepEqual(parseFromWebview({ type: 'openOverheadSetting', id: 'terminal.integrated.shell' }), { type: 'openOverheadSetting' });
});

test('opening a saved trace shows a panel beside the editor with the trace model', async () => {
  const c = await api();
  await closeAll();
  const panel = await c.openTraceCommand(vscode.Uri.file(traceFile));
  assert.ok(panel, 'a panel was opened');
  await waitFor('the trace to be read', () => (panel.traceFeed?.model.ops.size ?? 0) === 2);
  await waitFor('the panel to be placed in an editor group', () => panel.panel.viewColumn !== undefined);
  assert.equal(panel.panel.viewType, 'concurrencyDiagram.panel');
  assert.equal(panel.traceFeed?.model.end?.exitCode, 0);
  assert.equal(c.currentPanel, panel);
});

test('a file that is not a trace gets a clear error and no panel', async () => {
  const c = await api();
  const bogus = join(dir, 'bogus.json');
  writeFileSync(bogus, '{"traceEvents":[]}\n');
  const before = c.currentPanel;
  assert.equal(await c.openTraceCommand(vscode.Uri.file(bogus)), undefined);
  assert.equal(c.currentPanel, before);
});

test('reveal: selects the exact column range of the call, in a group other than the panel', async () => {
  const c = await api();
  const panel = c.currentPanel;
  assert.ok(panel);
  const editor = await panel.reveal(sourceFile, 3, readFileColumn, false);
  assert.ok(editor, 'the file outside the workspace was opened');
  assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, sourceFile);
  const sel = vscode.window.activeTextEditor.selection;
  assert.deepEqual([sel.start.line, sel.start.character, sel.end.line, sel.end.character], [2, readFileColumn - 1, 2, readFileColumn - 1 + 'readFile'.length]);
  assert.notEqual(editor.viewColumn, panel.panel.viewColumn, `not opened on top of the panel (editor ${editor.viewColumn}, panel ${panel.panel.viewColumn})`);
  // `new Worker` is selected as a whole (V8 reports a constructor call at `new`).
  const e2 = await panel.reveal(sourceFile, 4, workerColumn, false);
  assert.equal(e2?.document.getText(e2.selection), 'new Worker');
});

test('reveal: files the trace does not name and node: internals open nothing', async () => {
  const c = await api();
  const panel = c.currentPanel;
  assert.ok(panel);
  const other = join(dir, 'secret.ts');
  writeFileSync(other, 'export {};\n');
  assert.equal(await panel.reveal(other, 1, 1, false), undefined);
  assert.notEqual(vscode.window.activeTextEditor?.document.uri.fsPath, other);
  assert.equal(await panel.reveal('node:internal/fs/promises', 450, 10, false), undefined);
});

test('CodeLens: the line that started operations gets "2 async ops" and selects them', async () => {
  await api();
  // The lens command needs the document to be open.
  await vscode.workspace.openTextDocument(sourceFile);
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(sourceFile));
  const ours = lenses.filter((l) => l.command?.command === 'concurrencyDiagram.selectOps');
  assert.equal(ours.length, 1);
  assert.equal(ours[0].range.start.line, 2);
  assert.match(ours[0].command?.title ?? '', /^2 async ops · /);
  assert.deepEqual([...(ours[0].command?.arguments?.[0] as string[])].sort(), ['42:0:5', '42:0:6']);
  await vscode.commands.executeCommand('concurrencyDiagram.selectOps', ours[0].command?.arguments?.[0]);
});

test('Workspace Trust: declared as limited; running is refused only in Restricted Mode', async () => {
  const c = await api();
  const pkg = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON;
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('concurrencyDiagram.nodePath'));
  assert.equal(c.checkTrust(), vscode.workspace.isTrusted);
  // Opening saved traces works either way (tested above without depending on trust).
});

test('Restricted Mode: running is refused, saved traces still open', async () => {
  console.log(`# workspace trusted: ${vscode.workspace.isTrusted}`);
  // Meaningful only in an untrusted window (the harness can open one with trust enabled).
  if (vscode.workspace.isTrusted) return;
  const c = await api();
  const script = join(dir, 'untrusted.mjs');
  const marker = join(dir, 'untrusted-ran');
  writeFileSync(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  const before = c.currentPanel?.current?.traceFile;
  await c.showDiagram(vscode.Uri.file(script));
  assert.equal(c.isRunning, false);
  assert.equal(c.currentPanel?.current?.traceFile, before, 'no run was shown');
  assert.equal(existsSync(marker), false, 'the script did not run');
  const panel = await c.openTraceCommand(vscode.Uri.file(traceFile));
  assert.equal(panel?.current?.traceFile, traceFile);
});

test('a non-script file is refused with a message, not run', async () => {
  const c = await api();
  const txt = join(dir, 'notes.txt');
  writeFileSync(txt, 'hello\n');
  assert.equal(await c.resolveScript(vscode.Uri.file(txt)), undefined);
  assert.equal(c.isRunning, false);
});

test('a modified script is saved before it runs', async () => {
  const c = await api();
  await closeAll();
  const script = join(dir, 'dirty.mjs');
  // Written through VS Code's file service: a write behind its back can reach its file watcher only
  // after the edit below (on a loaded machine), and the save then fails as a conflict with the disk.
  await vscode.workspace.fs.writeFile(vscode.Uri.file(script), new TextEncoder().encode("console.log('before');\n"));
  const doc = await vscode.workspace.openTextDocument(script);
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), "console.log('after');\n");
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.equal(doc.isDirty, true);
  const resolved = await c.resolveScript(doc.uri);
  assert.equal(resolved?.fsPath, script);
  assert.equal(doc.isDirty, false, 'the editor was saved');
  assert.equal(readFileSync(script, 'utf8'), "console.log('after');\n", 'what runs is what the editor shows');
});

/** Runs a script through the real CLI and runner (needs dist/cli.js and the runner bundle). */
async function runScript(c: RunController, name: string, body: string): Promise<string> {
  const script = join(dir, name);
  writeFileSync(script, body);
  const doc = await vscode.workspace.openTextDocument(script);
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  await c.showDiagram(vscode.Uri.file(script));
  return script;
}

test('running a script: live panel, threadpool jobs, exit status', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  await closeAll();
  await runScript(
    c,
    'burst.mjs',
    "import { pbkdf2 } from 'node:crypto';\nfor (let i = 0; i < 6; i++) pbkdf2('p' + i, 's', 20000, 32, 'sha256', () => {});\n",
  );
  const panel = c.currentPanel;
  assert.ok(panel?.traceFeed, 'a panel shows the run');
  const m = panel.traceFeed.model;
  assert.ok(m.header, 'the trace was read');
  assert.equal(m.end?.exitCode, 0);
  assert.ok(m.poolJobs.size >= 6, `pool jobs recorded (${m.poolJobs.size})`);
  assert.equal(panel.traceFeed.isLive, false);
  assert.equal(c.isRunning, false);
});

test('a crashing script still gets its diagram with the error', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  await runScript(c, 'crash.mjs', "setTimeout(() => { throw new Error('boom on purpose'); }, 10);\n");
  const m = c.currentPanel?.traceFeed?.model;
  assert.ok(m?.header);
  assert.ok(
    m.errors.some((e) => e.message.includes('boom on purpose')),
    'the error is in the trace',
  );
  assert.notEqual(m.end?.exitCode, 0);
});

test('Re-run runs the same script again in the same panel, with a new trace', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  const panel = c.currentPanel;
  const before = panel?.current;
  assert.ok(before?.spec, 'the panel knows how to re-run');
  await vscode.commands.executeCommand('concurrencyDiagram.rerun');
  await waitFor('the re-run to end', () => !c.isRunning && c.currentPanel?.traceFeed?.isLive === false && c.currentPanel.current?.traceFile !== before.traceFile);
  assert.equal(c.currentPanel, panel, 'the panel was reused');
  assert.equal(panel?.current?.spec?.script, before.spec.script);
  await waitFor('the re-run trace to be read', () => (panel?.traceFeed?.model.errors.length ?? 0) > 0);
  assert.ok(panel?.traceFeed?.model.errors.some((e) => e.message.includes('boom on purpose')));
});

test('Stop ends a script stuck in a busy loop and keeps its trace', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  const done = runScript(c, 'busy.mjs', "console.log('spinning');\nconst end = Date.now() + 600_000;\nwhile (Date.now() < end) {}\n");
  await waitFor('the run to start writing its trace', () => c.isRunning && (c.currentPanel?.traceFeed?.model.header !== undefined));
  const t0 = Date.now();
  await vscode.commands.executeCommand('concurrencyDiagram.stop');
  await done;
  console.log(`# stop took ${Date.now() - t0} ms`);
  const m = c.currentPanel?.traceFeed?.model;
  assert.ok(m?.header, 'the trace is kept');
  assert.equal(m.end?.stopped, true);
  assert.equal(c.isRunning, false);
});

/** Sets user settings for the duration of `fn`, then removes them again. */
async function withSettings(values: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
  const cfg = () => vscode.workspace.getConfiguration('concurrencyDiagram');
  for (const [k, v] of Object.entries(values)) await cfg().update(k, v, vscode.ConfigurationTarget.Global);
  try {
    await fn();
  } finally {
    for (const k of Object.keys(values)) await cfg().update(k, undefined, vscode.ConfigurationTarget.Global);
  }
}

test('settings reach the script: args, env, cwd, runtime args, threadpool size; Node start-up variables reach the script, not the CLI', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  const out = join(dir, 'seen.json');
  const sub = join(dir, 'sub');
  mkdirSync(sub, { recursive: true });
  const caFile = join(dir, 'extra-ca.pem');
  const env = { CD_SUITE_VAR: 'hello', CD_SUITE_GONE: null, NODE_OPTIONS: '--title=cd-suite-script', NODE_EXTRA_CA_CERTS: caFile };
  await withSettings({ args: ['--from-setting'], env, cwd: sub, runtimeArgs: ['--no-warnings'], threadpoolSize: 3 }, async () => {
    process.env.CD_SUITE_GONE = 'should be removed';
    // The script's parent is the CLI: on Linux its start-up environment is in /proc.
    const cliEnv = `(() => { try { return readFileSync('/proc/' + process.ppid + '/environ', 'utf8').split('\\0').filter((l) => /^(NODE_OPTIONS|NODE_EXTRA_CA_CERTS)=/.test(l)); } catch { return null; } })()`;
    const body = `import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify({ argv: process.argv.slice(2), v: process.env.CD_SUITE_VAR ?? null, gone: process.env.CD_SUITE_GONE ?? null, cwd: process.cwd(), pool: process.env.UV_THREADPOOL_SIZE ?? null, execArgv: process.execArgv, title: process.title, ca: process.env.NODE_EXTRA_CA_CERTS ?? null, cliEnv: ${cliEnv} }));\n`;
    await runScript(c, 'settings.mjs', body);
    delete process.env.CD_SUITE_GONE;
  });
  const seen = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(seen.argv, ['--from-setting']);
  assert.equal(seen.v, 'hello');
  assert.equal(seen.gone, null);
  assert.equal(seen.cwd, sub);
  assert.equal(seen.pool, '3');
  assert.ok(seen.execArgv.includes('--no-warnings'), `execArgv ${JSON.stringify(seen.execArgv)}`);
  assert.equal(seen.title, 'cd-suite-script');
  assert.equal(seen.ca, caFile);
  if (process.platform === 'linux') assert.deepEqual(seen.cliEnv, [], 'the CLI\'s own Node started without NODE_OPTIONS and NODE_EXTRA_CA_CERTS');
  assert.equal(c.currentPanel?.traceFeed?.model.run?.threadpoolSize, 3);
});

test('"Run with Arguments" arguments replace the args setting', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  const out = join(dir, 'argv.json');
  const script = join(dir, 'argv.mjs');
  writeFileSync(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`);
  await c.showDiagram(vscode.Uri.file(script), ['two words', '--n=3']);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), ['two words', '--n=3']);
});

test('a missing Node is refused before anything runs', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  const before = c.currentPanel?.current?.traceFile;
  await withSettings({ nodePath: join(dir, 'no-such-node') }, async () => {
    await runScript(c, 'never.mjs', "console.log('never');\n");
  });
  assert.equal(c.isRunning, false);
  assert.equal(c.currentPanel?.current?.traceFile, before, 'no new run was shown');
});

test('terminal output: the script runs in an integrated terminal', async () => {
  if (!vscode.workspace.isTrusted) return;
  const c = await api();
  await withSettings({ output: 'terminal' }, async () => {
    await runScript(c, 'interactive.mjs', "console.log('hello from the terminal');\n");
  });
  assert.ok(
    vscode.window.terminals.some((t) => t.name === 'Concurrency Diagram: interactive.mjs'),
    `terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')}`,
  );
  assert.equal(c.currentPanel?.traceFeed?.model.end?.exitCode, 0);
});

test('export: our format is a copy; Chrome JSON and the HTML report come from the CLI', async () => {
  const c = await api();
  const out = join(dir, 'exported');
  await c.exportTo(traceFile, 'trace', `${out}.cdtrace`);
  assert.equal(readFileSync(`${out}.cdtrace`, 'utf8'), readFileSync(traceFile, 'utf8'));
  await c.exportTo(traceFile, 'chrome', `${out}.json`);
  const chrome = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
  assert.ok(Array.isArray(chrome.traceEvents) && chrome.traceEvents.length > 0, 'Chrome trace events were written');
  await c.exportTo(traceFile, 'html', `${out}.html`);
  assert.match(readFileSync(`${out}.html`, 'utf8'), /<html/i);
});

test('a panel restored after a reload shows its trace again (WebviewPanelSerializer)', async () => {
  const c = await api();
  const shown = c.currentPanel?.current;
  assert.ok(shown, 'a panel shows a trace');
  // A webview of our view type with the same title, as VS Code hands it to the serializer after a reload.
  const webview = vscode.window.createWebviewPanel('concurrencyDiagram.panel', shown.title, { viewColumn: vscode.ViewColumn.Two, preserveFocus: true }, {});
  await c.revive(webview, undefined);
  const panel = c.currentPanel;
  assert.equal(panel?.panel, webview);
  assert.equal(panel?.current?.traceFile, shown.traceFile);
  assert.equal(panel?.current?.live, false);
  await waitFor('the restored trace to be read', () => panel?.traceFeed?.model.header !== undefined);
  panel?.dispose();
});

/** Entry point called by the test harness inside the extension host. */
export async function run(): Promise<void> {
  await runAll();
}
