/**
 * Jump to source: opens a file at a trace position in the editor group the user came from, selects
 * the call the position points at, centres it and flashes a highlight.
 */
import * as vscode from 'vscode';
import { identifierRangeAt } from './identifierRange';

/** Where a revealSource request wants to go. */
export interface SourceTarget {
  /** Absolute path. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Where the diagram sits and where the user came from, to pick the editor group. */
export interface RevealPlacement {
  /** Open beside instead of in the group the user came from. */
  toSide?: boolean;
  /** Column of the editor that was active when the diagram was opened. */
  sourceColumn?: vscode.ViewColumn;
  /** Column of the diagram panel (never open on top of it). */
  panelColumn?: vscode.ViewColumn;
}

let flashType: vscode.TextEditorDecorationType | undefined;

/** The decoration that flashes the revealed call; disposed with the extension. */
export function flashDecoration(): vscode.TextEditorDecorationType {
  flashType ??= vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
    borderStyle: 'solid',
    borderWidth: '1px',
    isWholeLine: false,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  return flashType;
}

/**
 * Picks the editor group: the one the user came from if it still exists, else another group that
 * shows text editors, else any other group; never the diagram's own group. Groups are looked up
 * now, because closing a group renumbers the ones after it.
 */
export function chooseColumn(p: RevealPlacement): vscode.ViewColumn {
  if (p.toSide) return vscode.ViewColumn.Beside;
  const groups = vscode.window.tabGroups.all;
  const panelCol = p.panelColumn;
  if (p.sourceColumn !== undefined && p.sourceColumn !== panelCol && groups.some((g) => g.viewColumn === p.sourceColumn)) return p.sourceColumn;
  const withText = groups.find((g) => g.viewColumn !== panelCol && g.tabs.some((t) => t.input instanceof vscode.TabInputText));
  if (withText) return withText.viewColumn;
  const other = groups.find((g) => g.viewColumn !== panelCol);
  if (other) return other.viewColumn;
  // Only the diagram's group exists: open a new group next to it.
  return panelCol === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
}

/** The selection for a trace position in a document: the identifier of the call, clamped to the text. */
export function selectionFor(doc: vscode.TextDocument, line: number, column: number): vscode.Range {
  const lineIndex = Math.min(Math.max(0, line - 1), Math.max(0, doc.lineCount - 1));
  const text = doc.lineAt(lineIndex).text;
  const r = identifierRangeAt(text, column);
  return new vscode.Range(lineIndex, r.start, lineIndex, r.end);
}

/**
 * Opens `target` and selects the call there. Returns the editor, or undefined when the file could
 * not be opened (the user has been told why, with a warning rather than an error dialog).
 */
export async function revealSource(target: SourceTarget, placement: RevealPlacement = {}): Promise<vscode.TextEditor | undefined> {
  const uri = vscode.Uri.file(target.file);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch (e) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Cannot open {0}:{1}: the file may have been moved or deleted since the run ({2}).', target.file, target.line, firstLine(e)),
    );
    return undefined;
  }
  const range = selectionFor(doc, target.line, target.column);
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: chooseColumn(placement),
    preserveFocus: false,
    preview: true,
    selection: new vscode.Selection(range.start, range.end),
  });
  // Set again: showTextDocument keeps an existing editor's selection in some cases.
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  flash(editor, range);
  return editor;
}

function flash(editor: vscode.TextEditor, range: vscode.Range): void {
  const deco = flashDecoration();
  // An empty range would not show: highlight the whole line then.
  const shown = range.isEmpty ? editor.document.lineAt(range.start.line).range : range;
  editor.setDecorations(deco, [shown]);
  setTimeout(() => {
    try {
      editor.setDecorations(deco, []);
    } catch {
      // The editor was closed meanwhile.
    }
  }, 1500);
}

/** Explains why a `node:` frame cannot be opened (an information message, never an error). */
export function explainNodeInternal(file: string, line: number): void {
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      '{0}:{1} is inside Node.js itself: its source is compiled into the node binary, so there is no file to open. The frames of your own code are in the stack shown in the diagram.',
      file,
      line,
    ),
  );
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
