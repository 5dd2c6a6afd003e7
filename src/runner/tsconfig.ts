/**
 * The compiler options of a script's own tsconfig.json that change what its code does when it runs:
 * `experimentalDecorators` (legacy decorators instead of the standard ones TypeScript 5 compiles by
 * default) and `emitDecoratorMetadata`, which decide what decorated code does. The other options are
 * not read: the loader picks the target and the module format itself.
 *
 * Read without the compiler (a cache hit must not load it): tsconfig.json is JSON with comments and
 * trailing commas, and `extends` names another file or a package's. Like the compiler's own lookup,
 * the file that counts is the nearest tsconfig.json in the compiled file's folder or above it. A
 * tsconfig that cannot be read or parsed counts as absent (TypeScript's defaults): the script still
 * runs, and the problem is told to the reporter set with {@link reportTsconfigProblems}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The decorator options of a file, as the compiler takes them. */
export interface DecoratorOptions {
  /** Legacy (`experimentalDecorators`) decorators; false: the standard ones. */
  experimentalDecorators: boolean;
  /** `design:type` / `design:paramtypes` metadata for legacy decorators. */
  emitDecoratorMetadata: boolean;
}

/** TypeScript's defaults: standard decorators, no metadata. */
export const DEFAULT_DECORATOR_OPTIONS: DecoratorOptions = Object.freeze({ experimentalDecorators: false, emitDecoratorMetadata: false });

type Options = Partial<DecoratorOptions>;

/** The nearest tsconfig.json of a folder (null: none up to the root). */
const nearestByDir = new Map<string, string | null>();

/** The options a tsconfig.json (with what it extends) sets. */
const optionsByConfig = new Map<string, Options>();

let reporter: ((message: string) => void) | undefined;

/**
 * Sets who is told, once per tsconfig.json, that one could not be used. Only the CLI sets it: the
 * script's process must not write to the script's stderr (its output is the script's own).
 */
export function reportTsconfigProblems(report: ((message: string) => void) | undefined): void {
  reporter = report;
}

function problem(message: string): void {
  try {
    reporter?.(message);
  } catch {
    // Telling must never stop the file from compiling.
  }
}

/** Forgets what was read (for tests that rewrite tsconfig files). */
export function clearTsconfigCache(): void {
  nearestByDir.clear();
  optionsByConfig.clear();
}

/** Path of the tsconfig.json nearest to `dir` (that folder or one above it), or undefined. */
export function nearestTsconfig(dir: string): string | undefined {
  const known = nearestByDir.get(dir);
  if (known !== undefined) return known ?? undefined;
  let found: string | null = null;
  const candidate = path.join(dir, 'tsconfig.json');
  let isFile = false;
  try {
    isFile = fs.statSync(candidate).isFile();
  } catch {
    // None here.
  }
  if (isFile) found = candidate;
  else {
    const parent = path.dirname(dir);
    if (parent !== dir) found = nearestTsconfig(parent) ?? null;
  }
  nearestByDir.set(dir, found);
  return found ?? undefined;
}

/** The decorator options that apply to a TypeScript file: its nearest tsconfig.json's, else the defaults. */
export function decoratorOptionsFor(file: string): DecoratorOptions {
  try {
    const config = nearestTsconfig(path.dirname(path.resolve(file)));
    if (config === undefined) return DEFAULT_DECORATOR_OPTIONS;
    const set = configOptions(config, []);
    return {
      experimentalDecorators: set.experimentalDecorators ?? false,
      emitDecoratorMetadata: set.emitDecoratorMetadata ?? false,
    };
  } catch {
    // Whatever went wrong reading it, the file still compiles (as with no tsconfig).
    return DEFAULT_DECORATOR_OPTIONS;
  }
}

/** The options `config` sets, its own over those of the files it extends (later ones over earlier). */
function configOptions(config: string, chain: string[]): Options {
  const known = optionsByConfig.get(config);
  if (known) return known;
  if (chain.includes(config)) {
    problem(`${config}: its "extends" leads back to itself; the rest of that chain is ignored`);
    return {};
  }
  let json: unknown;
  try {
    json = parseJsonc(fs.readFileSync(config, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'not valid JSON' : ((e as NodeJS.ErrnoException).code ?? String(e));
    problem(`${config}: cannot be used (${why}); TypeScript's default options apply`);
    optionsByConfig.set(config, {});
    return {};
  }
  const result: Options = {};
  const root = isObject(json) ? json : {};
  const bases = typeof root.extends === 'string' ? [root.extends] : Array.isArray(root.extends) ? root.extends : [];
  for (const base of bases) {
    if (typeof base !== 'string') continue;
    const file = resolveExtends(base, path.dirname(config));
    if (file === undefined) {
      problem(`${config}: "extends" names ${JSON.stringify(base)}, which was not found; ignored`);
      continue;
    }
    Object.assign(result, configOptions(file, [...chain, config]));
  }
  const own = isObject(root.compilerOptions) ? root.compilerOptions : {};
  for (const key of ['experimentalDecorators', 'emitDecoratorMetadata'] as const) {
    if (typeof own[key] === 'boolean') result[key] = own[key];
    else if (own[key] !== undefined) problem(`${config}: "${key}" is not true or false; ignored`);
  }
  optionsByConfig.set(config, result);
  return result;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The file an `extends` names, found as the compiler finds it: a path relative to the tsconfig (the
 * `.json` may be left out), or a package's file (`@tsconfig/node20/tsconfig.json`), or a package's
 * own tsconfig.json (`@tsconfig/strictest`).
 */
function resolveExtends(spec: string, fromDir: string): string | undefined {
  const slashed = spec.replace(/\\/g, '/');
  if (path.isAbsolute(spec) || slashed.startsWith('./') || slashed.startsWith('../') || slashed === '.' || slashed === '..') {
    const p = path.resolve(fromDir, spec);
    for (const candidate of p.endsWith('.json') ? [p] : [p, `${p}.json`]) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Try the next one.
      }
    }
    return undefined;
  }
  for (const request of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      const found = require.resolve(request, { paths: [fromDir] });
      if (found.endsWith('.json')) return found;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/**
 * Parses JSON with comments and trailing commas (the tsconfig dialect). Throws SyntaxError for
 * anything else that is not JSON.
 */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Index in `out` of a comma that may turn out to be trailing (only whitespace and comments after it).
  let pendingComma = -1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      pendingComma = -1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      out += ' ';
    } else {
      if ((c === '}' || c === ']') && pendingComma >= 0) out = out.slice(0, pendingComma) + ' ' + out.slice(pendingComma + 1);
      if (c === ',') pendingComma = out.length;
      else if (!/\s/.test(c)) pendingComma = -1;
      out += c;
      i++;
    }
  }
  return JSON.parse(out);
}
