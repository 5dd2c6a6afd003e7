/**
 * The extension's commands and the state behind them: which run is going on, which diagram panels
 * exist and which one is current, where traces are kept, and how a run reports progress.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, open, readdir, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { basename, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { TraceFormatError, TraceReader, type TraceModel } from '../trace/model';
import type { RunEndedMessage } from '../trace/protocol';
import { cliLaunchEnvironment } from '../cli/scriptEnv';
import { CliRun, type CliExit } from './cliProcess';
import { DiagramPanel, type PanelContent, type PanelHost } from './diagramPanel';
import { probeNodeCached, MIN_NODE_MAJOR } from './nodeVersion';
import { ChannelOutput, TerminalOutput, type RunOutput } from './runOutput';
import { ArgumentSyntaxError, SettingsError, cliArguments, joinArguments, mergeEnvironment, specFromSettings, splitArguments, type RunSpec } from './runArguments';

/** File extensions of scripts the runner can run. */
export const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** Extension of the trace files the extension writes. */
export const TRACE_EXTENSION = '.cdtrace';

/** How many finished traces are kept in the extension's storage. */
const KEEP_TRACES = 20;

/** Key in workspaceState of the panels to restore after a reload. */
const OPEN_PANELS_KEY = 'concurrencyDiagram.openPanels';

/** What is remembered about an open panel so it can be restored. */
interface StoredPanel {
  title: string;
  traceFile: string;
  spec?: RunSpec;
}

/** The run in progress. */
interface ActiveRun {
  cli: CliRun;
  panel: DiagramPanel;
  spec: RunSpec;
  traceFile: string;
}

/** Localized runtime string (vscode.l10n; Japanese in l10n/bundle.l10n.ja.json). */
const t = (message: string, ...args: (string | number | boolean)[]): string => vscode.l10n.t(message, ...args);

/** Owns runs and panels; every command lands here. */
export class RunController implements PanelHost, vscode.Disposable {
  private readonly panels = new Set<DiagramPanel>();
  private current: DiagramPanel | undefined;
  private active: ActiveRun | undefined;
  private lastSpec: RunSpec | undefined;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly revived = new Set<string>();
  private shuttingDown = false;

  /** Fires when the current panel or its trace changed (CodeLens listens). */
  readonly onDidChangeCurrentTrace = this.changeEmitter.event;

  /** Needs the extension context (storage, extension folder) and the shared output channel. */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly channel: vscode.OutputChannel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('concurrencyDiagram.run', vscode.StatusBarAlignment.Left, 50);
    this.statusItem.name = t('Concurrency Diagram run');
    this.statusItem.command = 'concurrencyDiagram.stop';
    void this.updateContext();
  }

  /** Folder of the extension. */
  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** The panel commands act on: the one last active or shown. */
  get currentPanel(): DiagramPanel | undefined {
    return this.current && !this.current.isDisposed ? this.current : undefined;
  }

  /** True while a script runs. */
  get isRunning(): boolean {
    return this.active !== undefined;
  }

  // ---- commands ------------------------------------------------------------------------------

  /** "Show Concurrency Diagram": runs the file given (explorer, editor title) or the active editor's. */
  async showDiagram(resource?: unknown, argsOverride?: string[]): Promise<void> {
    if (!this.checkTrust()) return;
    const script = await this.resolveScript(resource);
    if (!script) return;
    let spec: RunSpec;
    try {
      spec = this.specFor(script, argsOverride);
    } catch (e) {
      if (e instanceof SettingsError) {
        void this.settingsError(e.message, settingIn(e.message));
        return;
      }
      throw e;
    }
    await this.run(spec, undefined, vscode.window.activeTextEditor?.viewColumn);
  }

  /** "Show Concurrency Diagram with Arguments…": asks for the script's arguments, then runs it. */
  async runWithArguments(resource?: unknown): Promise<void> {
    if (!this.checkTrust()) return;
    const script = await this.resolveScript(resource);
    if (!script) return;
    const previous = this.lastSpec?.script === script.fsPath ? this.lastSpec.args : vscode.workspace.getConfiguration('concurrencyDiagram', script).get<string[]>('args', []);
    const text = await vscode.window.showInputBox({
      title: t('Arguments for {0}', basename(script.fsPath)),
      prompt: t('Arguments passed to the script, separated by spaces; quote arguments that contain spaces.'),
      value: joinArguments(Array.isArray(previous) ? previous : []),
      placeHolder: t('e.g. --count 3 "two words"'),
      validateInput: (v) => {
        try {
          splitArguments(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    if (text === undefined) return;
    try {
      await this.showDiagram(script, splitArguments(text));
    } catch (e) {
      if (e instanceof ArgumentSyntaxError) void vscode.window.showWarningMessage(e.message);
      else throw e;
    }
  }

  /** "Stop": ends the running script (SIGTERM, escalated to SIGKILL by the CLI). */
  stopCommand(): void {
    this.active?.cli.stop();
  }

  /** "Re-run": the current panel's script (or the last one) again, with the same settings. */
  async rerunCommand(): Promise<void> {
    const panel = this.currentPanel;
    const spec = panel?.current?.spec ?? this.lastSpec;
    if (!spec) {
      void vscode.window.showInformationMessage(t('Nothing to re-run yet: run "Show Concurrency Diagram" on a script first.'));
      return;
    }
    if (!this.checkTrust()) return;
    await this.run(spec, panel?.current?.spec ? panel : undefined, panel?.current?.sourceColumn);
  }

  /** "Open Trace File…": shows a saved trace (works in Restricted Mode: nothing runs). */
  async openTraceCommand(resource?: unknown): Promise<DiagramPanel | undefined> {
    let uri = resource instanceof vscode.Uri ? resource : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        // Finished runs are kept there; start where they are.
        defaultUri: existsSync(this.traceDir().fsPath) ? this.traceDir() : undefined,
        openLabel: t('Open Trace'),
        title: t('Open a Concurrency Diagram trace'),
        filters: { [t('Concurrency Diagram traces')]: ['cdtrace', 'ndjson', 'jsonl', 'trace'], [t('All files')]: ['*'] },
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(t('Concurrency Diagram opens trace files on disk; {0} is not one.', uri.toString()));
      return undefined;
    }
    const problem = await checkTraceFile(uri.fsPath);
    if (problem) {
      void vscode.window.showErrorMessage(t('Cannot open {0}: {1}', basename(uri.fsPath), problem));
      return undefined;
    }
    const panel = this.panelFor(basename(uri.fsPath));
    panel.show({ traceFile: uri.fsPath, title: basename(uri.fsPath), live: false, sourceColumn: vscode.window.activeTextEditor?.viewColumn });
    return panel;
  }

  /** "Export Trace…": the current panel's trace as our format, Chrome/Perfetto JSON or an HTML report. */
  async exportTraceCommand(panel = this.currentPanel, format?: 'trace' | 'chrome' | 'html'): Promise<void> {
    const content = panel?.current;
    if (!content) {
      void vscode.window.showInformationMessage(t('No diagram to export: run a script or open a trace first.'));
      return;
    }
    if (!format) {
      const items: (vscode.QuickPickItem & { format: 'trace' | 'chrome' | 'html' })[] = [
        { label: t('Concurrency Diagram trace'), description: TRACE_EXTENSION, detail: t('The recorded trace itself; open it again with "Open Trace File…".'), format: 'trace' },
        { label: t('Chrome / Perfetto trace'), description: '.json', detail: t('Trace Event Format for ui.perfetto.dev and chrome://tracing.'), format: 'chrome' },
        { label: t('Standalone HTML report'), description: '.html', detail: t('The same diagram in one file that opens in any browser.'), format: 'html' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: t('Export Trace'), placeHolder: t('Choose a format') });
      if (!pick) return;
      format = pick.format;
    }
    const stem = basename(content.title, extname(content.title)).replace(/\.cdtrace$/, '');
    const ext = format === 'trace' ? TRACE_EXTENSION : format === 'chrome' ? '.json' : '.html';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const defaultUri = folder ? vscode.Uri.joinPath(folder, `${stem}${format === 'chrome' ? '.chrome' : ''}${ext}`) : undefined;
    const target = await vscode.window.showSaveDialog({ defaultUri, title: t('Export Trace'), saveLabel: t('Export') });
    if (!target) return;
    try {
      await this.exportTo(content.traceFile, format, target.fsPath);
    } catch (e) {
      void vscode.window.showErrorMessage(t('Export failed: {0}', (e as Error).message));
      return;
    }
    const openLabel = t('Open');
    const choice = await vscode.window.showInformationMessage(t('Exported the trace to {0}.', target.fsPath), openLabel);
    if (choice === openLabel) {
      if (format === 'html') void vscode.env.openExternal(target);
      else void vscode.commands.executeCommand('vscode.open', target);
    }
  }

  /** CodeLens click: select these operations in the current diagram. */
  selectOps(keys: unknown): void {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return;
    this.currentPanel?.selectOps(keys);
  }

  /** Restores a panel after a window reload (WebviewPanelSerializer). */
  async revive(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const stored = this.storedPanels();
    const fromState = typeof (state as { traceFile?: unknown })?.traceFile === 'string' ? (state as { traceFile: string }).traceFile : undefined;
    const candidates = stored.filter((p) => !this.revived.has(p.traceFile));
    const entry =
      (fromState && stored.find((p) => p.traceFile === fromState)) ??
      candidates.find((p) => p.title === webviewPanel.title) ??
      candidates[candidates.length - 1];
    if (!entry || !existsSync(entry.traceFile)) {
      webviewPanel.dispose();
      return;
    }
    this.revived.add(entry.traceFile);
    const panel = this.adopt(new DiagramPanel(this, webviewPanel));
    panel.show({ traceFile: entry.traceFile, title: entry.title, live: false, spec: entry.spec });
  }

  // ---- PanelHost -------------------------------------------------------------------------------

  /** The page's Stop button. */
  stop(panel: DiagramPanel): void {
    if (this.active?.panel === panel) this.active.cli.stop();
  }

  /** The page's Re-run button. */
  rerun(panel: DiagramPanel): void {
    const spec = panel.current?.spec;
    if (!spec || !this.checkTrust()) return;
    void this.run(spec, panel, panel.current?.sourceColumn);
  }

  /** The page's Export button. */
  exportTrace(panel: DiagramPanel, format?: 'trace' | 'chrome' | 'html'): void {
    void this.exportTraceCommand(panel, format);
  }

  /** A panel became active or its trace changed. */
  panelChanged(panel: DiagramPanel): void {
    if (panel.isDisposed) return;
    if (panel.panel.active || this.current === undefined || this.current.isDisposed || this.current === panel) this.current = panel;
    this.savePanels();
    void this.updateContext();
    this.changeEmitter.fire();
  }

  /** A panel was closed. */
  panelDisposed(panel: DiagramPanel): void {
    this.panels.delete(panel);
    if (this.active?.panel === panel) this.active.cli.stop();
    if (this.current === panel) this.current = [...this.panels].pop();
    this.savePanels();
    void this.updateContext();
    this.changeEmitter.fire();
  }

  /**
   * Stops a run in progress. The panels are left to VS Code: on a window reload it serializes them,
   * and the list of their traces in the workspace state must survive for {@link revive}.
   */
  dispose(): void {
    this.shuttingDown = true;
    this.active?.cli.stop();
    for (const p of this.panels) p.traceFeed?.dispose();
    this.statusItem.dispose();
    this.changeEmitter.dispose();
  }

  // ---- running ---------------------------------------------------------------------------------

  /** Runs a script under the CLI and shows its diagram live. Resolves when the run is over. */
  async run(spec: RunSpec, reusePanel?: DiagramPanel, sourceColumn?: vscode.ViewColumn): Promise<void> {
    const name = basename(spec.script);
    if (this.active) {
      const stopAndRun = t('Stop and Run');
      const choice = await vscode.window.showWarningMessage(t('{0} is still running. Stop it and start {1}?', basename(this.active.spec.script), name), stopAndRun);
      if (choice !== stopAndRun) return;
      const previous = this.active;
      if (previous) {
        previous.cli.stop();
        await previous.cli.done;
        // Let the previous run's bookkeeping (final trace read, panel update) finish first.
        while (this.active === previous) await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (!existsSync(spec.script)) {
      void vscode.window.showWarningMessage(t('{0} does not exist any more.', spec.script));
      return;
    }
    if (!isDirectory(spec.cwd)) {
      void this.settingsError(t('The working directory {0} is not a folder (setting concurrencyDiagram.cwd).', spec.cwd), 'concurrencyDiagram.cwd');
      return;
    }
    const env = mergeEnvironment(process.env, spec.env);
    // Electron's own variables must not leak into the user's Node.
    delete env.ELECTRON_RUN_AS_NODE;
    const probe = await probeNodeCached(spec.nodePath, env);
    if (!probe.ok) {
      const why =
        probe.reason === 'missing'
          ? t('Node.js was not found at "{0}".', spec.nodePath)
          : probe.reason === 'tooOld'
            ? t('"{0}" is Node.js {1}; Concurrency Diagram needs Node.js {2} or newer.', spec.nodePath, probe.detail, MIN_NODE_MAJOR)
            : probe.reason === 'notNode'
              ? t('"{0}" does not look like Node.js (its --version printed "{1}").', spec.nodePath, probe.detail)
              : t('"{0}" --version failed: {1}', spec.nodePath, probe.detail);
      void this.settingsError(`${why} ${t('Set concurrencyDiagram.nodePath to a Node.js {0}+ executable.', MIN_NODE_MAJOR)}`, 'concurrencyDiagram.nodePath');
      return;
    }
    const cliPath = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'cli.js').fsPath;
    if (!existsSync(cliPath)) {
      void vscode.window.showErrorMessage(t('The extension is incomplete: {0} is missing. Reinstall Concurrency Diagram.', cliPath));
      return;
    }
    const traceFile = await this.newTracePath(spec.script);

    const panel = reusePanel && !reusePanel.isDisposed ? reusePanel : this.panelFor(name);
    const content: PanelContent = { traceFile, title: name, live: true, spec, sourceColumn: sourceColumn ?? panel.current?.sourceColumn };
    panel.show(content);
    if (!panel.panel.visible) panel.panel.reveal(panel.panel.viewColumn, true);

    const cfg = vscode.workspace.getConfiguration('concurrencyDiagram', vscode.Uri.file(spec.script));
    const useTerminal = cfg.get<string>('output') === 'terminal';
    const output: RunOutput = useTerminal ? new TerminalOutput(t('Concurrency Diagram: {0}', name)) : new ChannelOutput(this.channel);
    const argv = cliArguments(cliPath, traceFile, spec);
    output.note(`> ${joinArguments([spec.nodePath, ...argv])}    (cwd: ${spec.cwd})`);

    // The CLI's own Node starts without the script's start-up variables (NODE_OPTIONS, …); it hands them on.
    const cli = new CliRun({ node: spec.nodePath, argv, cwd: spec.cwd, env: cliLaunchEnvironment(env), stdinPipe: useTerminal });
    output.attach(cli);
    const active: ActiveRun = { cli, panel, spec, traceFile };
    this.active = active;
    this.lastSpec = spec;
    this.showRunning(name);
    void this.updateContext();
    this.progress(name, cli, panel);

    const exit = await cli.done;
    output.note(exitText(exit));
    const fallback: RunEndedMessage = { type: 'runEnded', exitCode: exit.exitCode, signal: exit.signal, stopped: exit.stopped, summary: exit.summary };
    await panel.runEnded((m) => endedFromModel(m, fallback)).catch(() => {});
    await this.finishRun(active, exit);
  }

  private async finishRun(run: ActiveRun, exit: CliExit): Promise<void> {
    const model = run.panel.traceFeed?.model;
    if (this.active === run) this.active = undefined;
    this.statusItem.hide();
    void this.updateContext();
    this.changeEmitter.fire();
    if (exit.spawnError) {
      void vscode.window.showErrorMessage(t('Could not start {0}: {1}', run.spec.nodePath, exit.spawnError.message));
    } else if (!model?.header && !exit.stopped) {
      // The CLI refused before the script ran (bad input): its one-line error says why.
      const show = t('Show Output');
      void vscode.window.showErrorMessage(t('{0} did not run: {1}', basename(run.spec.script), run.cli.lastStderrLine || exitText(exit)), show).then((c) => {
        if (c === show) this.channel.show();
      });
    }
    await this.pruneTraces().catch(() => {});
  }

  private progress(name: string, cli: CliRun, panel: DiagramPanel): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: t('Concurrency Diagram: running {0}', name), cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => cli.stop());
        const timer = setInterval(() => {
          const m = panel.traceFeed?.model;
          if (m) progress.report({ message: countsText(m) });
        }, 1000);
        try {
          await cli.done;
        } finally {
          clearInterval(timer);
        }
      },
    );
  }

  private showRunning(name: string): void {
    this.statusItem.text = `$(loading~spin) ${t('Concurrency Diagram: {0}', name)}`;
    this.statusItem.tooltip = t('{0} is running under Concurrency Diagram. Click to stop it.', name);
    this.statusItem.show();
  }

  /**
   * Writes a trace to `out`: a copy for our format; Chrome JSON and the HTML report come from the
   * CLI's `report` command, so there is one implementation of each export.
   */
  async exportTo(traceFile: string, format: 'trace' | 'chrome' | 'html', out: string): Promise<void> {
    if (format === 'trace') await copyFile(traceFile, out);
    else await this.report(traceFile, format, out);
  }

  private async report(traceFile: string, format: 'chrome' | 'html', out: string): Promise<void> {
    const cliPath = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'cli.js').fsPath;
    const nodePath = vscode.workspace.getConfiguration('concurrencyDiagram').get<string>('nodePath', 'node') || 'node';
    const probe = await probeNodeCached(nodePath);
    // Exporting runs no user code, so VS Code's own runtime will do when the user's Node is unusable.
    const [node, env] = probe.ok ? [nodePath, cliLaunchEnvironment(process.env)] : [process.execPath, { ...cliLaunchEnvironment(process.env), ELECTRON_RUN_AS_NODE: '1' }];
    const flag = format === 'chrome' ? '--chrome-trace' : '--html';
    await new Promise<void>((resolve, reject) => {
      execFile(node, [cliPath, 'report', traceFile, flag, out], { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(String(stderr).trim().split('\n').pop() || err.message));
        else resolve();
      });
    });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private adopt(panel: DiagramPanel): DiagramPanel {
    this.panels.add(panel);
    this.current = panel;
    return panel;
  }

  /** The panel for a new diagram: the current one when reusing (unless it shows a live run), else a new one. */
  private panelFor(title: string): DiagramPanel {
    const reuse = vscode.workspace.getConfiguration('concurrencyDiagram').get<boolean>('reusePanel', true);
    const candidate = this.currentPanel ?? [...this.panels].pop();
    if (reuse && candidate && !candidate.isDisposed && this.active?.panel !== candidate) {
      candidate.panel.reveal(candidate.panel.viewColumn, true);
      return candidate;
    }
    return this.adopt(DiagramPanel.create(this, title));
  }

  private specFor(script: vscode.Uri, argsOverride?: string[]): RunSpec {
    const cfg = vscode.workspace.getConfiguration('concurrencyDiagram', script);
    const folder = vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath;
    return specFromSettings(
      {
        nodePath: cfg.get('nodePath'),
        cwd: cfg.get('cwd'),
        args: cfg.get('args'),
        env: cfg.get('env'),
        runtimeArgs: cfg.get('runtimeArgs'),
        threadpoolSize: cfg.get('threadpoolSize'),
        overheadLimit: cfg.get('overheadLimit'),
      },
      script.fsPath,
      folder,
      argsOverride,
    );
  }

  /** Finds the script to run, saving it first; tells the user clearly when there is none. */
  async resolveScript(resource?: unknown): Promise<vscode.Uri | undefined> {
    let uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage(t('Open a TypeScript or JavaScript file, then run "Show Concurrency Diagram".'));
      return undefined;
    }
    if (uri.scheme === 'untitled') {
      const save = t('Save As…');
      const choice = await vscode.window.showInformationMessage(t('This script has not been saved yet. Save it to a .ts or .js file to run it.'), save);
      if (choice !== save) return undefined;
      const saved = await vscode.workspace.save(uri);
      if (!saved) return undefined;
      uri = saved;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(t('Concurrency Diagram runs scripts from the disk; {0} is not a file on disk.', uri.toString()));
      return undefined;
    }
    if (!SCRIPT_EXTENSIONS.includes(extname(uri.fsPath).toLowerCase())) {
      void vscode.window.showWarningMessage(
        t('{0} is not a script Concurrency Diagram can run: open a TypeScript or JavaScript file ({1}).', basename(uri.fsPath), SCRIPT_EXTENSIONS.join(', ')),
      );
      return undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty && !(await doc.save())) {
      void vscode.window.showWarningMessage(t('{0} could not be saved, so it was not run.', basename(uri.fsPath)));
      return undefined;
    }
    return uri;
  }

  /** In Restricted Mode, explains why nothing runs and offers to manage trust. */
  checkTrust(): boolean {
    if (vscode.workspace.isTrusted) return true;
    const manage = t('Manage Workspace Trust');
    void vscode.window
      .showWarningMessage(
        t('Running scripts is disabled in Restricted Mode: it executes code from this workspace. Trust the workspace to run it. Opening saved trace files still works.'),
        manage,
      )
      .then((c) => {
        if (c === manage) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  private async settingsError(message: string, setting: string | undefined): Promise<void> {
    const open = t('Open Settings');
    const choice = await vscode.window.showErrorMessage(message, open);
    if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', setting ?? 'concurrencyDiagram');
  }

  private traceDir(): vscode.Uri {
    return vscode.Uri.joinPath(this.context.storageUri ?? this.context.globalStorageUri, 'traces');
  }

  private async newTracePath(script: string): Promise<string> {
    const dir = this.traceDir().fsPath;
    await mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    const stem = basename(script, extname(script)).replace(/[^\w.-]+/g, '_');
    let file = join(dir, `${stem}-${stamp}${TRACE_EXTENSION}`);
    for (let i = 2; existsSync(file); i++) file = join(dir, `${stem}-${stamp}-${i}${TRACE_EXTENSION}`);
    return file;
  }

  /** Deletes old traces, keeping the newest ones and every trace a panel shows. */
  private async pruneTraces(): Promise<void> {
    const dir = this.traceDir().fsPath;
    const inUse = new Set([...this.panels].map((p) => p.current?.traceFile));
    const files = (await readdir(dir)).filter((f) => f.endsWith(TRACE_EXTENSION)).map((f) => join(dir, f));
    const dated = files.map((f) => ({ f, m: statSync(f).mtimeMs })).sort((a, b) => b.m - a.m);
    for (const { f } of dated.slice(KEEP_TRACES)) if (!inUse.has(f)) await rm(f, { force: true });
  }

  private storedPanels(): StoredPanel[] {
    const v = this.context.workspaceState.get<unknown>(OPEN_PANELS_KEY);
    return Array.isArray(v) ? v.filter((p): p is StoredPanel => typeof p?.traceFile === 'string' && typeof p?.title === 'string') : [];
  }

  private savePanels(): void {
    if (this.shuttingDown) return;
    const list: StoredPanel[] = [];
    for (const p of this.panels) {
      const c = p.current;
      if (c) list.push({ title: c.title, traceFile: c.traceFile, spec: c.spec });
    }
    void this.context.workspaceState.update(OPEN_PANELS_KEY, list);
  }

  private async updateContext(): Promise<void> {
    const p = this.currentPanel;
    await vscode.commands.executeCommand('setContext', 'concurrencyDiagram.running', this.active !== undefined);
    await vscode.commands.executeCommand('setContext', 'concurrencyDiagram.hasTrace', p?.current !== undefined);
    await vscode.commands.executeCommand('setContext', 'concurrencyDiagram.canRerun', (p?.current?.spec ?? this.lastSpec) !== undefined);
  }
}

/** Reads the beginning of a file and says why it is not a trace, or undefined when it is one. */
export async function checkTraceFile(file: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    return (e as Error).message;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) return t('the file is empty');
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    const reader = new TraceReader();
    reader.push(nl >= 0 ? text.slice(0, nl + 1) : text);
    if (nl < 0) reader.finish();
    if (!reader.model.header) return t('it does not start with a Concurrency Diagram trace header');
    return undefined;
  } catch (e) {
    return e instanceof TraceFormatError ? e.message : (e as Error).message;
  } finally {
    await fh.close();
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function settingIn(message: string): string | undefined {
  return /concurrencyDiagram\.\w+/.exec(message)?.[0];
}

/** "exit code 0", "stopped (SIGTERM)"… for the output. */
function exitText(exit: CliExit): string {
  if (exit.spawnError) return t('[could not start: {0}]', exit.spawnError.message);
  const how = exit.signal ? t('signal {0}', exit.signal) : t('exit code {0}', String(exit.exitCode));
  return exit.stopped ? t('[stopped: {0}]', how) : `[${how}]`;
}

/** Live counts for the progress notification. */
function countsText(m: TraceModel): string {
  return t('{0} threads · {1} async operations · {2} pool jobs', m.threads.size + m.poolThreads.filter(Boolean).length, m.ops.size, m.poolJobs.size);
}

/** Builds a runEnded message, preferring the trace's own end record (it knows the script's exit). */
export function endedFromModel(m: TraceModel, fallback: RunEndedMessage): RunEndedMessage {
  if (!m.end) return fallback;
  return { type: 'runEnded', exitCode: m.end.exitCode, signal: m.end.signal, stopped: m.end.stopped === true || fallback.stopped, summary: fallback.summary };
}
