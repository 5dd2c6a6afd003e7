/**
 * Which source files a trace refers to, and whether a `revealSource` request from the webview may
 * be honoured. The webview is untrusted input: it may only open files that the trace being shown
 * names. Pure: no `vscode` import.
 */
import type { SourceFrame, TraceModel } from '../trace/model';

/** Collects every source file named by the trace's stacks, threads, errors and run info. */
export function filesReferenced(model: TraceModel): Set<string> {
  const files = new Set<string>();
  const add = (stack: readonly SourceFrame[]) => {
    for (const f of stack) files.add(f.file);
  };
  for (const op of model.ops.values()) add(op.stack);
  for (const t of model.tasks.values()) add(t.stack);
  for (const b of model.blocked) add(b.stack);
  for (const e of model.errors) {
    add(e.stack);
    for (const f of framesInStackText(e.stackText)) files.add(f.file);
  }
  for (const t of model.threads.values()) if (t.file) files.add(t.file);
  if (model.run?.script) files.add(model.run.script);
  return files;
}

/**
 * Frames of a V8 stack text (`at fn (file:line:col)` or `at file:line:col`), so that an error's
 * printed stack can be clicked too. `file://` URLs are turned into paths.
 */
export function framesInStackText(text: string): SourceFrame[] {
  const out: SourceFrame[] = [];
  const re = /^\s*at (?:(.*?) \()?((?:file:\/\/|node:|\/|[A-Za-z]:[\\/]|\\\\)[^()]*?):(\d+):(\d+)\)?\s*$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let file = m[2];
    if (file.startsWith('file://')) file = fileUrlToPathLoose(file);
    out.push({ fn: m[1] ?? '', file, line: Number(m[3]), column: Number(m[4]) });
  }
  return out;
}

function fileUrlToPathLoose(url: string): string {
  try {
    const u = new URL(url);
    const p = decodeURIComponent(u.pathname);
    // file:///C:/x → C:/x on Windows-style paths.
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  } catch {
    return url;
  }
}

/** What to do with a revealSource request. */
export type RevealDecision =
  | { kind: 'open'; file: string }
  | { kind: 'nodeInternal'; file: string }
  | { kind: 'rejected'; reason: string };

/** Decides whether `file` may be opened: it must be referenced by the trace; `node:` URLs are internals. */
export function decideReveal(file: string, referenced: ReadonlySet<string>): RevealDecision {
  if (!referenced.has(file)) return { kind: 'rejected', reason: 'the file is not part of the trace shown' };
  if (file.startsWith('node:')) return { kind: 'nodeInternal', file };
  if (!isAbsolutePath(file)) return { kind: 'rejected', reason: 'the trace names it by a relative path' };
  return { kind: 'open', file };
}

/** True for POSIX and Windows absolute paths. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}
