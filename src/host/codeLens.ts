/**
 * CodeLens above the lines that started operations in the diagram shown ("3 async ops · 12 ms
 * waiting"); clicking one selects those bars in the diagram.
 */
import * as vscode from 'vscode';
import { aggregateByLine, formatDuration, type LensIndex, type LineOps } from './codeLensModel';
import type { RunController } from './runController';

/** Files the lenses apply to. */
export const CODELENS_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.{ts,mts,cts,js,mjs,cjs}' }];

/** Provides the lenses from the current panel's trace. */
export class DiagramCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  private index: LensIndex | undefined;
  private readonly sub: vscode.Disposable;

  /** Fires when lenses should be asked for again. */
  readonly onDidChangeCodeLenses = this.emitter.event;

  /** Follows the controller's current trace. */
  constructor(private readonly controller: RunController) {
    this.sub = vscode.Disposable.from(
      controller.onDidChangeCurrentTrace(() => {
        this.index = undefined;
        this.emitter.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('concurrencyDiagram.codeLens')) this.emitter.fire();
      }),
    );
  }

  /** One lens per line that started operations. */
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('concurrencyDiagram', document.uri).get<boolean>('codeLens', true)) return [];
    const model = this.controller.currentPanel?.traceFeed?.model;
    if (!model) return [];
    this.index ??= aggregateByLine(model);
    const lines = this.index.get(document.uri.fsPath);
    if (!lines) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const l of lines.values()) {
      if (l.line < 1 || l.line > document.lineCount) continue;
      const range = new vscode.Range(l.line - 1, 0, l.line - 1, 0);
      lenses.push(new vscode.CodeLens(range, { title: lensTitle(l), tooltip: vscode.l10n.t('Select these operations in the Concurrency Diagram'), command: 'concurrencyDiagram.selectOps', arguments: [l.keys] }));
    }
    return lenses;
  }

  /** Stops listening. */
  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

/** "3 async ops · 12 ms waiting · 4 ms queued". */
export function lensTitle(l: LineOps): string {
  const parts: string[] = [];
  const n = l.ops + l.tasks;
  parts.push(n === 1 ? vscode.l10n.t('1 async op') : vscode.l10n.t('{0} async ops', n));
  parts.push(vscode.l10n.t('{0} waiting', formatDuration(l.waitingUs)));
  if (l.queuedUs > 0) parts.push(vscode.l10n.t('{0} queued on the threadpool', formatDuration(l.queuedUs)));
  return parts.join(' · ');
}
