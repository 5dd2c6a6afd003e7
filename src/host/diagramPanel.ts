/**
 * The diagram panel: a webview beside the editor that shows one trace (live while its run goes
 * on), answers the page's requests, and can be restored after a window reload.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { parseFromWebview, type FromWebviewMessage, type RunEndedMessage, type ToWebviewMessage } from '../trace/protocol';
import type { TraceModel } from '../trace/model';
import { renderPageHtml } from '../../webview/pageHtml';
import { TraceFeed } from './traceFeed';
import { decideReveal } from './traceFiles';
import { explainNodeInternal, revealSource } from './revealSource';
import type { RunSpec } from './runArguments';

/** View type of the panel (also in package.json's activation events and `when` clauses). */
export const PANEL_VIEW_TYPE = 'concurrencyDiagram.panel';

/** What the panel asks of the rest of the extension (stop, re-run, export). */
export interface PanelHost {
  /** Extension root, for the page's resources. */
  readonly extensionUri: vscode.Uri;
  /** Stop the run shown in this panel. */
  stop(panel: DiagramPanel): void;
  /** Run this panel's script again. */
  rerun(panel: DiagramPanel): void;
  /** Export this panel's trace. */
  exportTrace(panel: DiagramPanel, format?: 'trace' | 'chrome' | 'html'): void;
  /** The panel became the active one, or its trace changed (for CodeLens and context keys). */
  panelChanged(panel: DiagramPanel): void;
  /** The panel was closed. */
  panelDisposed(panel: DiagramPanel): void;
}

/** Which trace a panel shows. */
export interface PanelContent {
  /** Absolute path of the trace file. */
  traceFile: string;
  /** Title of the diagram (the script's file name). */
  title: string;
  /** True while a run writes the file. */
  live: boolean;
  /** How to run the script again, when known. */
  spec?: RunSpec;
  /** Editor column the user came from. */
  sourceColumn?: vscode.ViewColumn;
}

/** One diagram panel. */
export class DiagramPanel {
  private feed: TraceFeed | undefined;
  private content: PanelContent | undefined;
  private running = false;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  /** Opens a new panel beside the editor, keeping the focus in the editor. */
  static create(host: PanelHost, title: string): DiagramPanel {
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      DiagramPanel.webviewOptions(host.extensionUri),
    );
    return new DiagramPanel(host, panel);
  }

  /** Options every diagram webview gets: scripts on, and only the bundled page and icons loadable. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  /** Wraps an existing webview panel (a new one, or one VS Code restored after a reload). */
  constructor(
    private readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
  ) {
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'panelIcon.svg');
    panel.webview.options = DiagramPanel.webviewOptions(host.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.host.panelChanged(this);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = this.html();
  }

  /** The content shown, if any. */
  get current(): PanelContent | undefined {
    return this.content;
  }

  /** The trace feed (host-side model), if any. */
  get traceFeed(): TraceFeed | undefined {
    return this.feed;
  }

  /** True when the panel has been closed. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Shows a trace file (a run in progress or a saved trace), replacing what was shown. */
  show(content: PanelContent): void {
    this.feed?.dispose();
    this.content = content;
    this.running = content.live;
    this.panel.title = content.title;
    const feed = new TraceFeed(content.traceFile, content.title, content.live, (msg) => this.traceError(msg));
    this.feed = feed;
    let timer: NodeJS.Timeout | undefined;
    // CodeLens and context keys follow the model; while live at most once a second, because the
    // CodeLens index is rebuilt from the whole model each time.
    feed.onDidChange(() => {
      timer ??= setTimeout(
        () => {
          timer = undefined;
          if (this.feed === feed) this.host.panelChanged(this);
        },
        feed.isLive ? 1000 : 100,
      );
    });
    if (this.ready) feed.attach((m) => this.post(m));
    else feed.start();
    this.postRunState();
    this.host.panelChanged(this);
  }

  /** The run shown here is over. */
  async runEnded(message: RunEndedMessage | ((model: TraceModel) => RunEndedMessage)): Promise<void> {
    this.running = false;
    if (this.content) this.content.live = false;
    this.postRunState();
    await this.feed?.end(message);
    this.host.panelChanged(this);
  }

  /** Selects bars in the page (after a CodeLens click) and brings the panel forward without taking focus. */
  selectOps(keys: string[]): void {
    this.panel.reveal(this.panel.viewColumn, true);
    this.post({ type: 'selectOps', keys });
  }

  /** Whether the page's Stop/Re-run buttons apply. */
  postRunState(): void {
    this.post({ type: 'runState', running: this.running, canRerun: this.content?.spec !== undefined && !this.running });
  }

  /** Closes the panel. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.feed?.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.host.panelDisposed(this);
  }

  private post(m: ToWebviewMessage): void {
    if (!this.disposed && this.ready) void this.panel.webview.postMessage(m);
  }

  private traceError(message: string): void {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot show {0}: {1}', this.content?.traceFile ?? '', message));
  }

  private html(): string {
    const w = this.panel.webview;
    const root = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    return renderPageHtml({
      cspSource: w.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      title: this.content?.title ?? this.panel.title,
    });
  }

  /** Handles one message from the page; anything malformed is ignored. */
  private onMessage(raw: unknown): void {
    const m: FromWebviewMessage | undefined = parseFromWebview(raw);
    if (!m) return;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postRunState();
        this.feed?.attach((x) => this.post(x));
        return;
      case 'revealSource':
        void this.reveal(m.file, m.line, m.column, m.toSide === true);
        return;
      case 'stop':
        if (this.running) this.host.stop(this);
        return;
      case 'rerun':
        if (!this.running && this.content?.spec) this.host.rerun(this);
        return;
      case 'export':
        this.host.exportTrace(this, m.format);
        return;
      case 'copyText':
        void vscode.env.clipboard.writeText(m.text);
        return;
      case 'openOverheadSetting':
        void vscode.commands.executeCommand('workbench.action.openSettings', 'concurrencyDiagram.overheadLimit');
        return;
    }
  }

  /** Reveals a source position if, and only if, the trace shown refers to that file. */
  async reveal(file: string, line: number, column: number, toSide: boolean): Promise<vscode.TextEditor | undefined> {
    const feed = this.feed;
    if (!feed) return undefined;
    const d = decideReveal(file, feed.referencedFiles());
    if (d.kind === 'rejected') return undefined;
    if (d.kind === 'nodeInternal') {
      explainNodeInternal(file, line);
      return undefined;
    }
    return revealSource({ file: d.file, line, column }, { toSide, sourceColumn: this.content?.sourceColumn, panelColumn: this.panel.viewColumn });
  }
}
