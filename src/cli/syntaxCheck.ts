/**
 * Pre-checks a TypeScript entry file with the runner's own transpiler, so a syntax error is one line
 * `file:line:column: message` (exit code 2) before anything runs, instead of a loader stack trace.
 *
 * It compiles through the runner's disk cache (same keys), and also compiles the TypeScript files
 * the entry imports by a literal relative path, transitively: the compile then happens here, before
 * the run, and the script's process finds the output ready instead of loading the compiler itself.
 * A cache hit means the file parsed before, so a re-run does not load the compiler at all; after an
 * edit, the compiler loads from V8's code cache (Node ≥ 22.1).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { cacheCompilerCode, formatRule, getTranspiled, isTsFile } from '../runner/tsLoader';
import type * as TypeScriptModule from '../runner/typescript';
import { UsageError } from './args';

/** Extensions that go through the TypeScript transpiler. */
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** At most this many imported files are compiled ahead (a big project compiles the rest as it loads). */
export const MAX_AHEAD = 300;

/** Relative module specifiers written literally: `from './x'`, `import './x'`, `import('./x')`, `require('./x')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"\n]*)['"]/g;

/**
 * Throws a {@link UsageError} naming file, line and column when the TypeScript file does not parse.
 * JavaScript files are left to Node, which reports their syntax errors itself. `detect`: whether the
 * script's Node detects ES module syntax (it decides the module system the files are compiled to,
 * so the cache entries the script's process looks up).
 */
export function checkSyntax(file: string, runnerDir = join(__dirname, 'runner'), detect?: boolean): void {
  const ext = extname(file).toLowerCase();
  if (!TS_EXTENSIONS.has(ext)) return;
  // The compiler is a separate bundle loaded only for TypeScript (it is large); when it is missing the
  // runner reports the error itself when it loads the file.
  if (!existsSync(join(runnerDir, 'typescript.js'))) return;
  // This process compiles ahead what the script's would compile: the compiler's code is cached too.
  cacheCompilerCode();
  const source = readFileSync(file, 'utf8');
  try {
    getTranspiled(file, source, formatRule(file, detect));
  } catch (e) {
    if (e instanceof Error && e.name === 'TsSyntaxError') {
      const err = e as TypeScriptModule.TsSyntaxError;
      throw new UsageError(`${err.file}:${err.line}:${err.column}: ${err.detail.split('\n')[0]}`);
    }
    throw e;
  }
  compileImportsAhead(file, source, detect);
}

/** The TypeScript file a relative specifier names, as the runner's loader would find it, or undefined. */
export function resolveTsImport(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = isTsFile(base)
    ? [base]
    : base.endsWith('.js')
      ? [base.slice(0, -3) + '.ts', base.slice(0, -3) + '.tsx']
      : base.endsWith('.mjs')
        ? [base.slice(0, -4) + '.mts']
        : base.endsWith('.cjs')
          ? [base.slice(0, -4) + '.cts']
          : extname(base) === ''
            ? [base + '.ts', base + '.tsx', join(base, 'index.ts')]
            : [];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/**
 * Compiles (into the cache) the TypeScript files reachable from `entry` through literal relative
 * imports. Errors are left for the run: a file with an error may never be loaded at all.
 */
function compileImportsAhead(entry: string, entrySource: string, detect: boolean | undefined): void {
  const seen = new Set<string>([entry]);
  const queue: [string, string][] = [[entry, entrySource]];
  while (queue.length > 0) {
    const [file, source] = queue.shift() as [string, string];
    for (const m of source.matchAll(RELATIVE_IMPORT)) {
      const dep = resolveTsImport(file, m[1]);
      if (dep === undefined || seen.has(dep) || seen.size > MAX_AHEAD) continue;
      seen.add(dep);
      try {
        const depSource = readFileSync(dep, 'utf8');
        getTranspiled(dep, depSource, formatRule(dep, detect));
        queue.push([dep, depSource]);
      } catch {
        // Not readable or not valid: the run reports it where and if it is loaded.
      }
    }
  }
}
