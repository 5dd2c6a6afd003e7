/**
 * Runs TypeScript files with no build step, in every thread of the script, and maps positions in
 * the emitted JavaScript back to the original `.ts` file.
 *
 * Why this loader: the compiler is the only transform that handles the whole language (sucrase and
 * Node's own type stripping drop or refuse enums, namespaces, parameter properties and decorators),
 * and it is pure JavaScript, so the extension runs the same on every platform. It is loaded lazily
 * from its own bundle, and its output is cached on disk keyed by a hash of the file, so re-runs
 * and JavaScript-only scripts do not pay for it. Hooks:
 * - CommonJS: `require.extensions` for `.ts .cts .mts .tsx` (our transform wins over Node ≥ 22.18's
 *   own stripping, which cannot do enums).
 * - ESM: `module.registerHooks` (in-thread, Node ≥ 22.15) where available, else `module.register`
 *   (Node 20: the hooks run on a separate thread; the transpiled output and its source map reach
 *   the script's threads through the same disk cache, keyed by file content).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decoratorOptionsFor, type DecoratorOptions } from './tsconfig';
import type { FormatRule, ModuleFormat, SourceMapLike, TranspileOutput } from './typescript';

/** Extensions the loader compiles. */
export const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

/** Bumped when the cache layout or compiler options change. */
const CACHE_LAYOUT = 'cd-ts-4';

type Compiler = typeof import('./typescript');

let compiler: Compiler | undefined;
let compilerStamp: string | undefined;

/** Directory of this bundle (the runner's dist folder, or src/runner under tsx). */
function runnerDir(): string {
  return __dirname;
}

/** The compiler bundle: beside this bundle (dist/runner), under runner/ when bundled into the CLI (dist), or the source under tsx. */
function compilerPath(): string {
  for (const candidate of [path.join(runnerDir(), 'typescript.js'), path.join(runnerDir(), 'runner', 'typescript.js')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.join(runnerDir(), 'typescript.ts');
}

let compilerCodeCache = false;

/**
 * Keeps V8's compiled code of the compiler bundle on disk (Node ≥ 22.1's compile cache, in a `v8`
 * folder of the transpile cache), so that loading the compiler, 10 MB of JavaScript, takes about
 * half as long the next time. For the CLI's process only: once the compile cache is on, Node caches
 * every module the process loads after it, which in the script's process would be the user's own.
 */
export function cacheCompilerCode(): void {
  compilerCodeCache = true;
}

/**
 * Loads a module of the recorder's own (by a computed path, which keeps the bundler from inlining
 * it), and leaves no entry for it in the script's `require.cache`.
 */
function requireOwn(file: string): unknown {
  const req = require;
  const loaded = req(file) as unknown;
  try {
    delete req.cache[req.resolve(file)];
  } catch {
    // Kept in the cache: only visible to a script that lists it.
  }
  return loaded;
}

/** Loads the compiler bundle on first use. */
function loadCompiler(): Compiler {
  if (!compiler) {
    if (compilerCodeCache) {
      try {
        (require('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(path.join(cacheDir(), 'v8'));
      } catch {
        // No compile cache: the compiler loads as it would anyway.
      }
    }
    compiler = requireOwn(compilerPath()) as Compiler;
  }
  return compiler;
}

/** Identifies the compiler build without loading it (its bundle's size and mtime). */
function stamp(): string {
  if (compilerStamp === undefined) {
    try {
      const st = fs.statSync(compilerPath());
      compilerStamp = `${st.size}-${Math.floor(st.mtimeMs)}`;
    } catch {
      compilerStamp = 'unknown';
    }
  }
  return compilerStamp;
}

/** Directory of the transpile cache (`CONCURRENCY_DIAGRAM_CACHE` overrides it). */
export function cacheDir(): string {
  return process.env.CONCURRENCY_DIAGRAM_CACHE || path.join(os.tmpdir(), 'concurrency-diagram', 'ts-cache');
}

/** Bounds of the transpile cache, kept by {@link pruneCache}. */
export interface CacheLimits {
  /** Entries not written or used for longer than this are removed (ms). */
  maxAgeMs: number;
  /** Above this total size the least recently used entries are removed (bytes). */
  maxBytes: number;
  /** A prune is skipped when the last one was more recent than this (ms): most runs only stat one file. */
  everyMs: number;
}

/** Default bounds: two weeks, 64 MB, pruned at most once an hour. */
export const CACHE_LIMITS: CacheLimits = { maxAgeMs: 14 * 24 * 3600_000, maxBytes: 64 * 1024 * 1024, everyMs: 3600_000 };

/** An entry used again is marked as used (its mtime) at most this often, so pruning by age keeps what is in use. */
const TOUCH_AFTER_MS = 24 * 3600_000;

/** A temporary file of an interrupted cache write is removed after this long (ms). */
const STALE_TMP_MS = 3600_000;

/** Name of the file whose mtime says when the cache was last pruned. */
const PRUNE_STAMP = '.pruned';

/** What a prune did. */
export interface PruneResult {
  /** False when skipped (pruned recently, or no cache). */
  ran: boolean;
  /** Entries (and stale temporary files) removed. */
  removed: number;
  /** Bytes of the entries kept. */
  keptBytes: number;
}

/**
 * Keeps the transpile cache bounded: removes entries older than `maxAgeMs` (by last write or use),
 * then the least recently used ones until the rest fits in `maxBytes`, and leftover temporary files.
 * Runs at most once per `everyMs` for all runs sharing the cache (a stamp file records the last
 * prune). Called by the CLI once per run, while the script runs, never by the script's process.
 * Never throws: a cache that cannot be pruned is left as it is.
 */
export function pruneCache(dir = cacheDir(), limits: CacheLimits = CACHE_LIMITS, now = Date.now()): PruneResult {
  const result: PruneResult = { ran: false, removed: 0, keptBytes: 0 };
  const stamp = path.join(dir, PRUNE_STAMP);
  try {
    if (now - fs.statSync(stamp).mtimeMs < limits.everyMs) return result;
  } catch {
    // Never pruned (or no cache yet).
  }
  let names: string[];
  try {
    names = fs.readdirSync(dir);
    // Claim this prune first: a run starting meanwhile skips it.
    fs.writeFileSync(stamp, '');
    const t = new Date(now);
    fs.utimesSync(stamp, t, t);
  } catch {
    return result;
  }
  result.ran = true;
  const entries: { file: string; used: number; size: number }[] = [];
  for (const name of names) {
    const isEntry = name.endsWith('.json');
    if (!isEntry && !name.endsWith('.tmp')) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) continue;
      const age = now - st.mtimeMs;
      if (isEntry ? age > limits.maxAgeMs : age > STALE_TMP_MS) {
        fs.unlinkSync(file);
        result.removed++;
      } else if (isEntry) {
        entries.push({ file, used: st.mtimeMs, size: st.size });
      }
    } catch {
      // Removed by another run meanwhile.
    }
  }
  let total = entries.reduce((n, e) => n + e.size, 0);
  if (total > limits.maxBytes) {
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= limits.maxBytes) break;
      try {
        fs.unlinkSync(e.file);
        result.removed++;
        total -= e.size;
      } catch {
        // Already gone.
      }
    }
  }
  result.keptBytes = total;
  return result;
}

/** Reads a cache entry; marks it as used when it was last marked more than a day ago (for pruning by age). */
function readCacheEntry(cf: string): string {
  const fd = fs.openSync(cf, 'r');
  try {
    const text = fs.readFileSync(fd, 'utf8');
    try {
      const st = fs.fstatSync(fd);
      if (Date.now() - st.mtimeMs > TOUCH_AFTER_MS) {
        const t = new Date();
        fs.futimesSync(fd, t, t);
      }
    } catch {
      // A read-only cache stays as it is.
    }
    return text;
  } finally {
    fs.closeSync(fd);
  }
}

/** The cache entry of a file's output: by content, format rule and the tsconfig options that change the output. */
function cacheFile(file: string, source: string, format: FormatRule, decorators: DecoratorOptions): string {
  // Loaded here, not with this module: a JavaScript-only run (most of them) never needs node:crypto,
  // and loading it costs every process a few ms at start.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const options = `${Number(decorators.experimentalDecorators)}${Number(decorators.emitDecoratorMetadata)}`;
  const h = createHash('sha256').update(`${CACHE_LAYOUT}\0${stamp()}\0${format}\0${options}\0${file}\0`).update(source).digest('hex');
  return path.join(cacheDir(), `${h.slice(0, 40)}.json`);
}

/**
 * Where this thread's compile observer lives: a global, because the ESM hooks bundle (Node >= 22.15,
 * in-thread) carries its own copy of this module and must tell the same observer.
 */
const COMPILE_OBSERVER = Symbol.for('concurrency-diagram.compileObserver');

type CompileObserver = (starting: boolean) => void;

/**
 * Sets the function told when this thread starts (`true`) and ends (`false`) compiling a file (a
 * cache miss: loading the compiler, transpiling, writing the cache). Cache hits are not reported.
 */
export function observeCompiles(observer: CompileObserver | undefined): void {
  Object.defineProperty(globalThis, COMPILE_OBSERVER, { value: observer, enumerable: false, writable: true, configurable: true });
}

function compileObserver(starting: boolean): void {
  const fn = (globalThis as { [COMPILE_OBSERVER]?: CompileObserver })[COMPILE_OBSERVER];
  try {
    fn?.(starting);
  } catch {
    // Observing must never stop the script's module from loading.
  }
}

/** Transpiled files of this thread, with their source maps. */
const transpiled = new Map<string, TranspiledEntry>();

/** A transpiled file of this thread, with what its stacks need, worked out on first use. */
interface TranspiledEntry {
  code: string;
  map: SourceMapLike;
  format: ModuleFormat;
  lookup?: MapLookup;
  lines?: string[];
  /** Original positions of generated lines that have no mapping but stand for a `using` declaration (1-based lines). */
  usingLines?: Map<number, { line: number; column: number }>;
  /** 1 at each generated line (1-based) whose code has no place in the original file. */
  sourceless?: Uint8Array;
  /** Every original position a mapping leads to, as `line * 2^20 + column` (0-based). */
  targets?: Set<number>;
}

/**
 * Transpiles a file (from the disk cache when it has it, without loading the compiler), with the
 * decorator options of its nearest tsconfig.json. Throws the compiler's TsSyntaxError. The CLI can
 * use it for its syntax pre-check: a cache hit means the file parsed before, and the runner then
 * finds the output ready.
 */
export function getTranspiled(file: string, source: string, rule: FormatRule): TranspileOutput {
  const decorators = decoratorOptionsFor(file);
  const cf = cacheFile(file, source, rule, decorators);
  let out: TranspileOutput | undefined;
  try {
    out = JSON.parse(readCacheEntry(cf)) as TranspileOutput;
  } catch {
    out = undefined;
  }
  if (!out || typeof out.code !== 'string' || (out.format !== 'esm' && out.format !== 'cjs')) {
    // The compile is the runner's work, not the script's: the observer (the loop monitor) is told
    // when it starts and ends, so the stretch is not drawn as the script blocking its event loop.
    compileObserver(true);
    try {
      out = loadCompiler().transpileTs(file, source, rule, decorators);
      try {
        fs.mkdirSync(path.dirname(cf), { recursive: true });
        const tmp = `${cf}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(out));
        fs.renameSync(tmp, cf);
      } catch {
        // No cache (read-only temp dir): the next run transpiles again.
      }
    } finally {
      compileObserver(false);
    }
  }
  transpiled.set(file, { code: out.code, map: out.map, format: out.format });
  return out;
}

const packageTypes = new Map<string, string>();

/** `"module"`, `"commonjs"` or `""` (no `type` field, or no package.json): the `type` of the package.json nearest to `dir`. */
function packageType(dir: string): string {
  const known = packageTypes.get(dir);
  if (known !== undefined) return known;
  let type = '';
  try {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    type = pj.type === 'module' || pj.type === 'commonjs' ? pj.type : '';
  } catch (e) {
    const parent = path.dirname(dir);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && parent !== dir) type = packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** `"module"`, `"commonjs"` or `""` (none set): the `type` of the package.json nearest to a file. */
export function packageTypeOf(file: string): string {
  return packageType(path.dirname(file));
}

/**
 * Whether a Node detects ES module syntax in a file no package.json `type` names the module system
 * of (on by default since Node 22.7 and 20.19; `--[no-]experimental-detect-module` among `args`,
 * the last one, overrides it). `version` is `process.version`'s form.
 */
export function detectsModuleSyntax(version: string, args: readonly string[]): boolean {
  for (let i = args.length - 1; i >= 0; i--) {
    if (args[i] === '--experimental-detect-module') return true;
    if (args[i] === '--no-experimental-detect-module') return false;
  }
  const [major, minor] = /^v?(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number) ?? [0, 0];
  return major > 22 || (major === 22 && minor >= 7) || (major === 20 && minor >= 19);
}

/** The runtime arguments of a Node: its NODE_OPTIONS, then its command line's (which win). */
export function nodeRuntimeArgs(nodeOptions: string | undefined, execArgv: readonly string[]): string[] {
  return [...(nodeOptions ?? '').split(/\s+/).filter(Boolean), ...execArgv];
}

let detectsHere: boolean | undefined;

/** Whether this process's Node detects ES module syntax (see {@link detectsModuleSyntax}). */
function thisNodeDetects(): boolean {
  detectsHere ??= detectsModuleSyntax(process.version, nodeRuntimeArgs(process.env.NODE_OPTIONS, process.execArgv));
  return detectsHere;
}

/**
 * How the module system of a TypeScript file is chosen, as Node chooses that of the JavaScript it
 * compiles to: by extension, then by the nearest package.json `type`, then, where none applies,
 * by its syntax on a Node that detects module syntax (`detect`, this process's Node by default),
 * else CommonJS.
 */
export function formatRule(file: string, detect = thisNodeDetects()): FormatRule {
  if (file.endsWith('.mts') || file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cts') || file.endsWith('.cjs')) return 'cjs';
  const type = packageType(path.dirname(file));
  if (type === 'module') return 'esm';
  return type === '' && detect ? 'detect' : 'cjs';
}

/**
 * Module system a TypeScript file is compiled to when imported (see {@link formatRule}). For a file
 * whose syntax decides, its output is looked up (and compiled on a cache miss).
 */
export function formatOf(file: string): ModuleFormat {
  const rule = formatRule(file);
  return rule === 'detect' ? getTranspiled(file, fs.readFileSync(file, 'utf8'), rule).format : rule;
}

/**
 * The TypeScript files a relative or absolute import of JavaScript may mean, as the compiler lets
 * TypeScript name them (`./util.js` for util.ts, `./y.cjs` for y.cts, `./z.mjs` for z.mts): tried
 * only after the JavaScript file itself was not found. Empty for any other specifier.
 */
export function tsCandidates(specifier: string): string[] {
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:') || path.isAbsolute(specifier))) return [];
  if (specifier.endsWith('.js')) return [specifier.slice(0, -3) + '.ts', specifier.slice(0, -3) + '.tsx'];
  if (specifier.endsWith('.mjs')) return [specifier.slice(0, -4) + '.mts'];
  if (specifier.endsWith('.cjs')) return [specifier.slice(0, -4) + '.cts'];
  return [];
}

/** True for a file the loader compiles. */
export function isTsFile(file: string): boolean {
  return TS_EXTENSIONS.some((e) => file.endsWith(e));
}

let nodeSourceMaps = false;

/**
 * Turns on Node's own source-map support once TypeScript runs in this thread, so the error stacks the
 * script prints show its .ts lines (as Node's own type stripping would). JavaScript-only runs are left
 * exactly as they are.
 */
export function enableNodeSourceMaps(): void {
  if (nodeSourceMaps) return;
  nodeSourceMaps = true;
  try {
    process.setSourceMapsEnabled(true);
  } catch {
    // Older Node: stacks keep the emitted positions; the trace is mapped by the runner either way.
  }
}

/** The emitted code with its source map inline, for Node's source-map support. */
export function withInlineMap(out: TranspileOutput): string {
  return `${out.code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(out.map)).toString('base64')}\n`;
}

// ---- source maps ----------------------------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map<string, number>([...B64].map((c, i) => [c, i]));

/** Per generated line: flat [genColumn, origLine, origColumn, …] (0-based), sorted by column. */
export type MapLookup = number[][];

/**
 * Decodes the VLQ mappings of a source map into per-line segment arrays: [genColumn, origLine,
 * origColumn, …], or with `withSource` [genColumn, sourceIndex, origLine, origColumn, …] (0-based).
 */
export function decodeMappings(mappings: string, withSource = false): MapLookup {
  const lines: MapLookup = [];
  let line: number[] = [];
  let genCol = 0;
  let source = 0;
  let origLine = 0;
  let origCol = 0;
  let value = 0;
  let shift = 0;
  const fields: number[] = [];
  const endSegment = (): void => {
    if (fields.length >= 4) {
      genCol += fields[0];
      source += fields[1];
      origLine += fields[2];
      origCol += fields[3];
      if (withSource) line.push(genCol, source, origLine, origCol);
      else line.push(genCol, origLine, origCol);
    } else if (fields.length >= 1) {
      genCol += fields[0];
    }
    fields.length = 0;
  };
  for (let i = 0; i < mappings.length; i++) {
    const c = mappings[i];
    if (c === ',') {
      endSegment();
      continue;
    }
    if (c === ';') {
      endSegment();
      lines.push(line);
      line = [];
      genCol = 0;
      continue;
    }
    const d = B64_VALUE.get(c);
    if (d === undefined) continue;
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  endSegment();
  lines.push(line);
  return lines;
}

/** Maps a generated 1-based position to the original one using a decoded map. */
export function lookupPosition(lookup: MapLookup, line: number, column: number): { line: number; column: number } | undefined {
  const segs = lookup[line - 1];
  if (!segs || segs.length === 0) return undefined;
  const col = column - 1;
  let best = -1;
  for (let i = 0; i < segs.length; i += 3) {
    if (segs[i] <= col) best = i;
    else break;
  }
  if (best < 0) best = 0;
  // No offset within the segment: the compiler starts a segment at every token, and where it rewrites
  // code (\`(0, fs_1.readFile)(…)\` for an imported \`readFile(…)\`) the segment's start is the right answer.
  return { line: segs[best + 1] + 1, column: segs[best + 2] + 1 };
}

/**
 * Maps a position in a TypeScript file's emitted JavaScript to the original file (1-based), or
 * undefined for files this loader did not compile. Used off the hot path (once per unique stack).
 */
export function mapToOriginal(file: string, line: number, column: number): { line: number; column: number } | undefined {
  const entry = mappedEntry(file);
  if (!entry) return undefined;
  const lookup = entry.lookup as MapLookup;
  if (lookup[line - 1]?.length) return lookupPosition(lookup, line, calleeColumn(entry.lines?.[line - 1], column));
  return entry.usingLines?.get(line);
}

/**
 * The generated lines of a TypeScript file (1-based index, 1 = yes) whose code has no place in the
 * original file: the functions the compiler emits at the top (`__disposeResources`, `__esDecorate`,
 * …) and the code it adds inside functions for other constructs. A frame there is not one the user
 * could click on, so stacks skip it and the next frame of the script stands for it. The code it adds
 * for `using` / `await using` is not among them: it stands for the declaration (see
 * {@link mapToOriginal}). Undefined for files this loader did not compile.
 */
export function sourcelessLines(file: string): Uint8Array | undefined {
  return mappedEntry(file)?.sourceless;
}

/**
 * Whether a position (1-based) shown as original in an error's stack is one: Node's source maps give
 * the original position of a mapping, and leave a position they cannot map (in the functions the
 * compiler emits at the top of the output) as it was, generated. Undefined for files this loader did
 * not compile.
 */
export function isOriginalPosition(file: string, line: number, column: number): boolean | undefined {
  const entry = mappedEntry(file);
  if (!entry) return undefined;
  if (!entry.targets) {
    const targets = new Set<number>();
    for (const segs of entry.lookup as MapLookup) for (let i = 0; i < segs.length; i += 3) targets.add(segs[i + 1] * 2 ** 20 + segs[i + 2]);
    entry.targets = targets;
  }
  return entry.targets.has((line - 1) * 2 ** 20 + (column - 1));
}

/** Lines of the files read by {@link fileLines} (null: unreadable or too big), a few hundred at most. */
const jsLines = new Map<string, string[] | null>();

/** Files bigger than this are not read by {@link fileLines} (a huge bundle). */
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** The lines of a file of the script's, read once (undefined when unreadable or too big). Off the hot path. */
export function fileLines(file: string): string[] | undefined {
  let lines = jsLines.get(file);
  if (lines === undefined) {
    try {
      lines = fs.statSync(file).size > MAX_READ_BYTES ? null : fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    if (jsLines.size >= 256) jsLines.clear();
    jsLines.set(file, lines);
  }
  return lines ?? undefined;
}

/**
 * A line (1-based) of the code V8 runs for `file`: the emitted JavaScript of a TypeScript file this
 * loader compiled, else the file's own text. Undefined when it cannot be read. Off the hot path.
 */
export function generatedLine(file: string, line: number): string | undefined {
  const entry = mappedEntry(file);
  if (entry) return entry.lines?.[line - 1];
  return fileLines(file)?.[line - 1];
}

/** The transpiled entry of a TypeScript file, with its decoded map and line facts; undefined for other files. */
function mappedEntry(file: string): TranspiledEntry | undefined {
  if (!isTsFile(file)) return undefined;
  let entry = transpiled.get(file);
  if (!entry) {
    // Compiled on another thread (Node 20's hooks thread, or a sibling Worker): same cache, same map.
    try {
      getTranspiled(file, fs.readFileSync(file, 'utf8'), formatRule(file));
    } catch {
      return undefined;
    }
    entry = transpiled.get(file);
    if (!entry) return undefined;
  }
  if (!entry.lookup) {
    const lookup = decodeMappings(entry.map.mappings);
    const lines = entry.code.split('\n');
    const { usingLines, sourceless } = unmappedLines(lines, lookup);
    Object.assign(entry, { lookup, lines, usingLines, sourceless });
  }
  return entry;
}

/**
 * Sorts the generated lines with no mapping: those of the code the compiler adds for `using` /
 * `await using` (they name its `env_N` record, or the `result_N` of its disposal) stand for the
 * first declaration of that record, where `__addDisposableResource(env_N, …)` is mapped; every
 * other one is sourceless.
 */
export function unmappedLines(lines: string[], lookup: MapLookup): { usingLines: Map<number, { line: number; column: number }>; sourceless: Uint8Array } {
  const usingLines = new Map<number, { line: number; column: number }>();
  const sourceless = new Uint8Array(lines.length + 2);
  const declarations = new Map<string, { line: number; column: number }>();
  const disposals = new Map<string, string>();
  for (let i = 0; i < lines.length; i++) {
    const decl = /\b__addDisposableResource\((env_\d+),/.exec(lines[i]);
    const segs = lookup[i];
    if (decl && segs?.length && !declarations.has(decl[1])) declarations.set(decl[1], { line: segs[1] + 1, column: segs[2] + 1 });
    const disposal = /\b(result_\d+) = __disposeResources\((env_\d+)\)/.exec(lines[i]);
    if (disposal) disposals.set(disposal[1], disposal[2]);
  }
  for (let i = 0; i < lines.length; i++) {
    if (lookup[i]?.length) continue;
    const env = /\b(env_\d+)\b/.exec(lines[i])?.[1] ?? disposals.get(/\b(result_\d+)\b/.exec(lines[i])?.[1] ?? '');
    const declared = env === undefined ? undefined : declarations.get(env);
    if (declared) usingLines.set(i + 1, declared);
    else sourceless[i + 1] = 1;
  }
  return { usingLines, sourceless };
}

/**
 * For a call of an imported binding, CommonJS output reads `(0, mod_1.name)(…)` and V8 puts the call
 * at its argument list; the user wrote `name(…)`, so the position is that of `name`. Other
 * positions are returned unchanged (1-based).
 */
export function calleeColumn(text: string | undefined, column: number): number {
  if (text === undefined) return column;
  const c = column - 1;
  if (text[c] !== '(' || text[c - 1] !== ')') return column;
  let depth = 0;
  let open = -1;
  for (let i = c - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) {
      open = i;
      break;
    }
  }
  if (open < 0) return column;
  const m = /^\(0, [\w$]+\.([\w$]+)\)$/.exec(text.slice(open, c));
  return m ? c - m[1].length - 1 + 1 : column;
}

// ---- hooks --------------------------------------------------------------------------------------

interface CjsModule {
  _compile(code: string, filename: string): unknown;
}

type ResolveFilename = (this: unknown, request: string, parent: unknown, isMain?: boolean, options?: unknown) => string;

/** Set on the resolver this loader installed, so a second install (a re-run preload) does not wrap it again. */
const TS_RESOLVER = Symbol.for('concurrency-diagram.tsResolver');

/**
 * Registers the CommonJS hooks: each TS file is compiled to CommonJS when required, and a
 * `require('./util.js')` (what `import … from './util.js'` compiles to) finds util.ts when there is
 * no util.js, as the ESM hooks do for `import`. From any file, not only TypeScript ones: the
 * JavaScript file the specifier names would exist after a build, whoever asks for it.
 */
export function installCjsHooks(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('node:module') as {
    _extensions: Record<string, (m: CjsModule, filename: string) => void>;
    _resolveFilename: ResolveFilename & { [TS_RESOLVER]?: true };
  };
  const compile = (m: CjsModule, filename: string): void => {
    const source = fs.readFileSync(filename, 'utf8');
    // An `.mts` file is ES module code whatever asks for it (Node 20 hands an `.mts` entry to the
    // CommonJS loader first), and so is a file with ES module syntax that no package.json `type`
    // names the system of (Node hands such an entry to this loader too): compiled as such, it is the
    // cache entry the CLI and the ESM hooks use, and Node, finding ES module code, loads it as one
    // (an entry through its ES module loader, a `require` as `require(esm)`), as it would the
    // JavaScript. A `.ts` file of a `"type": "module"` package that CommonJS requires stays
    // compiled to CommonJS.
    const rule = formatRule(filename);
    const out = getTranspiled(filename, source, rule === 'detect' || filename.endsWith('.mts') ? rule : 'cjs');
    enableNodeSourceMaps();
    m._compile(withInlineMap(out), filename);
  };
  for (const ext of TS_EXTENSIONS) Module._extensions[ext] = compile;
  const resolveFilename = Module._resolveFilename;
  if (typeof resolveFilename !== 'function' || resolveFilename[TS_RESOLVER]) return;
  const resolveTs: ResolveFilename = function (this: unknown, request, parent, isMain, options) {
    try {
      return resolveFilename.call(this, request, parent, isMain, options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code !== 'MODULE_NOT_FOUND' || typeof request !== 'string') throw e;
      for (const candidate of tsCandidates(request)) {
        try {
          return resolveFilename.call(this, candidate, parent, isMain, options);
        } catch {
          // Try the next one.
        }
      }
      // The script sees Node's own error, naming what it asked for.
      throw e;
    }
  };
  Object.defineProperty(resolveTs, TS_RESOLVER, { value: true });
  Module._resolveFilename = resolveTs;
}

/** Registers the ESM hooks: in-thread where Node has `registerHooks`, else on Node's hooks thread. */
export function installEsmHooks(): 'registerHooks' | 'register' | 'none' {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('node:module') as typeof import('node:module') & { registerHooks?: (h: object) => unknown };
  if (typeof mod.registerHooks === 'function') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hooks = requireOwn(path.join(runnerDir(), fs.existsSync(path.join(runnerDir(), 'esmHooks.js')) ? 'esmHooks.js' : 'esmHooks.ts')) as typeof import('./esmHooks');
    mod.registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
    return 'registerHooks';
  }
  if (typeof mod.register === 'function') {
    const hooksFile = path.join(runnerDir(), 'esmHooks.js');
    if (!fs.existsSync(hooksFile)) return 'none';
    mod.register(pathToFileURLString(hooksFile));
    return 'register';
  }
  return 'none';
}

function pathToFileURLString(p: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:url') as typeof import('node:url')).pathToFileURL(p).href;
}
