/**
 * Entry point of the Concurrency Diagram extension: registrations only. The behaviour lives in
 * src/host (commands and runs in runController.ts, the panel in diagramPanel.ts).
 */
import * as vscode from 'vscode';
import { CODELENS_SELECTOR, DiagramCodeLensProvider } from './host/codeLens';
import { PANEL_VIEW_TYPE } from './host/diagramPanel';
import { flashDecoration } from './host/revealSource';
import { RunController } from './host/runController';

let controller: RunController | undefined;

/** Registers commands, the panel serializer and the CodeLens provider. */
export function activate(context: vscode.ExtensionContext): RunController {
  const channel = vscode.window.createOutputChannel('Concurrency Diagram');
  const c = new RunController(context, channel);
  controller = c;
  const lenses = new DiagramCodeLensProvider(c);
  context.subscriptions.push(
    channel,
    c,
    lenses,
    flashDecoration(),
    vscode.commands.registerCommand('concurrencyDiagram.show', (uri?: unknown) => c.showDiagram(uri)),
    vscode.commands.registerCommand('concurrencyDiagram.runWithArguments', (uri?: unknown) => c.runWithArguments(uri)),
    vscode.commands.registerCommand('concurrencyDiagram.stop', () => c.stopCommand()),
    vscode.commands.registerCommand('concurrencyDiagram.rerun', () => c.rerunCommand()),
    vscode.commands.registerCommand('concurrencyDiagram.openTrace', (uri?: unknown) => c.openTraceCommand(uri)),
    vscode.commands.registerCommand('concurrencyDiagram.exportTrace', () => c.exportTraceCommand()),
    vscode.commands.registerCommand('concurrencyDiagram.selectOps', (keys?: unknown) => c.selectOps(keys)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => c.revive(panel, state) }),
    vscode.languages.registerCodeLensProvider(CODELENS_SELECTOR, lenses),
  );
  // Returned as the extension's API so that the extension-host tests can reach the controller.
  return c;
}

/** Stops a run in progress so no orphaned script is left behind. */
export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
