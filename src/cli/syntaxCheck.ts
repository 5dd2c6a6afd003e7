/**
 * Pre-checks a TypeScript entry file with the runner's own transpiler, so a syntax error is one line
 * `file:line:column: message` (exit code 2) before anything runs, instead of a loader stack trace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type * as TypeScriptModule from '../runner/typescript';
import { UsageError } from './args';

/** Extensions that go through the TypeScript transpiler. */
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/**
 * Throws a {@link UsageError} naming file, line and column when the TypeScript file does not parse.
 * JavaScript files are left to Node, which reports their syntax errors itself.
 */
export function checkSyntax(file: string, runnerDir = join(__dirname, 'runner')): void {
  const ext = extname(file).toLowerCase();
  if (!TS_EXTENSIONS.has(ext)) return;
  const bundle = join(runnerDir, 'typescript.js');
  // The compiler is a separate bundle loaded only for TypeScript (it is large); when it is missing the
  // runner reports the error itself when it loads the file.
  if (!existsSync(bundle)) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsMod = require(bundle) as typeof TypeScriptModule;
  const source = readFileSync(file, 'utf8');
  try {
    tsMod.transpileTs(file, source, ext === '.mts' ? 'esm' : 'cjs');
  } catch (e) {
    if (e instanceof Error && e.name === 'TsSyntaxError') {
      const err = e as TypeScriptModule.TsSyntaxError;
      throw new UsageError(`${err.file}:${err.line}:${err.column}: ${err.detail.split('\n')[0]}`);
    }
    throw e;
  }
}
