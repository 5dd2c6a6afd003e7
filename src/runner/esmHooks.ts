/**
 * ESM resolve/load hooks that compile TypeScript files (see tsLoader.ts). The synchronous pair is
 * used in-thread with `module.registerHooks`; the async pair is the module `module.register` loads
 * on Node's hooks thread (Node 20).
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { enableNodeSourceMaps, formatRule, getTranspiled, isTsFile, tsCandidates, withInlineMap } from './tsLoader';

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | Buffer | null;
  shortCircuit?: boolean;
}
type Ctx = { parentURL?: string; format?: string | null; conditions?: string[]; importAttributes?: object };

/**
 * Specifiers to try when a relative import is not found: the TypeScript file of the JavaScript it
 * names, or for one with no extension its .ts file or folder index.
 */
function alternatives(specifier: string): string[] {
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:'))) return [];
  if (/\.[cm]?js$/.test(specifier)) return tsCandidates(specifier);
  if (!/\.[cm]?[jt]sx?$|\.json$|\.node$/.test(specifier)) return [specifier + '.ts', specifier + '/index.ts'];
  return [];
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_UNSUPPORTED_DIR_IMPORT';
}

/** Compiles a TypeScript URL, or returns undefined for anything else. */
function loadTs(url: string): LoadResult | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = fileURLToPath(url);
  if (!isTsFile(file)) return undefined;
  const out = getTranspiled(file, readFileSync(file, 'utf8'), formatRule(file));
  enableNodeSourceMaps();
  return { format: out.format === 'esm' ? 'module' : 'commonjs', source: withInlineMap(out), shortCircuit: true };
}

/** Synchronous resolve hook (`module.registerHooks`). */
export function resolveSync(specifier: string, context: Ctx, next: (s: string, c?: Ctx) => ResolveResult): ResolveResult {
  try {
    return next(specifier, context);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    for (const alt of alternatives(specifier)) {
      try {
        return next(alt, context);
      } catch {
        // Try the next candidate.
      }
    }
    throw e;
  }
}

/** Synchronous load hook (`module.registerHooks`). */
export function loadSync(url: string, context: Ctx, next: (u: string, c?: Ctx) => LoadResult): LoadResult {
  return loadTs(url) ?? next(url, context);
}

/** Asynchronous resolve hook (`module.register`, Node's hooks thread). */
export async function resolve(specifier: string, context: Ctx, next: (s: string, c?: Ctx) => Promise<ResolveResult>): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    for (const alt of alternatives(specifier)) {
      try {
        return await next(alt, context);
      } catch {
        // Try the next candidate.
      }
    }
    throw e;
  }
}

/** Asynchronous load hook (`module.register`, Node's hooks thread). */
export async function load(url: string, context: Ctx, next: (u: string, c?: Ctx) => Promise<LoadResult>): Promise<LoadResult> {
  // For CommonJS, Node 20 reads the named exports from the source given here and then runs the module
  // through its CommonJS loader (our require.extensions hook).
  return loadTs(url) ?? next(url, context);
}
