/**
 * Finds the text a trace position points at, so that jumping to source can select the exact call.
 * V8 reports a call's position at the callee's name (`fs.readFile(...)` → the column of `readFile`,
 * `new Worker(...)` → the column of `new`), so the identifier under the column is what the user
 * wants to see highlighted. Pure: no `vscode` import.
 */

/** A half-open range of 0-based character offsets within one line. */
export interface ColumnRange {
  /** 0-based offset of the first selected character. */
  start: number;
  /** 0-based offset just after the last selected character (== start for an empty range). */
  end: number;
}

const identStart = /[\p{ID_Start}$_]/u;
const identPart = /[\p{ID_Continue}$_\u200c\u200d]/u;

/**
 * The range of the identifier at the 1-based `column` of `lineText`. For `new X` (V8's position of
 * a constructor call) the range covers `new X`. When the column is not on an identifier (source
 * edited since the run, or a position on punctuation), the result is an empty range at the column,
 * clamped to the line.
 */
export function identifierRangeAt(lineText: string, column: number): ColumnRange {
  const at = Math.min(Math.max(0, Math.floor(column) - 1), lineText.length);
  if (at >= lineText.length || !identPart.test(lineText[at])) return { start: at, end: at };
  // The position may point into the middle of a name (mapped TypeScript positions sometimes do).
  let start = at;
  while (start > 0 && identPart.test(lineText[start - 1])) start--;
  if (!identStart.test(lineText[start])) return { start: at, end: at };
  let end = at;
  while (end < lineText.length && identPart.test(lineText[end])) end++;
  if (lineText.slice(start, end) === 'new') {
    const rest = /^(\s+)([\p{ID_Start}$_][\p{ID_Continue}$_\u200c\u200d]*)/u.exec(lineText.slice(end));
    if (rest) end += rest[0].length;
  }
  return { start, end };
}
