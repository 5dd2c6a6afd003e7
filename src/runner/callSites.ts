/**
 * Structured stack capture and interning of user frames into F (file) and K (stack) records.
 *
 * Stacks are captured as V8 CallSite objects (no text formatting), filtered down to the user's own
 * frames (not `node:` internals, not `node_modules`, not the runner itself), mapped through source
 * maps to the ORIGINAL file positions, and interned: a stack seen before costs one Map lookup.
 * Source-map lookups happen once per unique stack, never on the hot path.
 */
import { fileURLToPath } from 'node:url';
import { str, type TraceWriter } from './traceWriter';

/** A V8 call site, as handed to `Error.prepareStackTrace`. */
export type CallSite = NodeJS.CallSite;

/**
 * Maps a generated position (1-based) of a file to its original position (1-based), in `file` when
 * given (a source map of the script's own build points into another file), or undefined.
 */
export type PositionMapper = (file: string, line: number, column: number) => { line: number; column: number; file?: string } | undefined;

const returnCallSites = (_e: Error, cs: CallSite[]): CallSite[] => cs;

/**
 * Captures up to `limit` call sites above `skip` (a function on the current stack). Restores the
 * script's own `Error.prepareStackTrace` and `Error.stackTraceLimit`. Returns [] when V8 refuses.
 */
export function captureCallSites(limit: number, skip: Function): CallSite[] {
  const E = Error as ErrorConstructor & { prepareStackTrace?: unknown };
  const prevPrepare = E.prepareStackTrace;
  const prevLimit = E.stackTraceLimit;
  try {
    E.prepareStackTrace = returnCallSites;
    E.stackTraceLimit = limit;
    const holder: { stack?: unknown } = {};
    E.captureStackTrace(holder, skip);
    const s = holder.stack;
    return Array.isArray(s) ? (s as CallSite[]) : [];
  } catch (e) {
    // No stack left (a resource made deep in a recursion): an empty answer would read as "no user
    // frame here" and could be cached; the recorder's hook gives the event up instead.
    if (e instanceof RangeError) throw e;
    return [];
  } finally {
    E.prepareStackTrace = prevPrepare;
    E.stackTraceLimit = prevLimit;
  }
}

/** What the interner knows about a file name reported by V8. */
interface FileInfo {
  /** Id in the F records, 0 when not a user file. */
  id: number;
  /** Absolute path (file: URLs converted). */
  path: string;
  /** For a compiled file: 1 at each generated line (1-based) with no place in the original, whose frames are skipped. */
  sourceless?: Uint8Array;
}

/** What the interner asks of the loader that compiled the script's files (TypeScript). */
export interface CompiledSources {
  /** Maps a generated position to the original one (1-based), or undefined. */
  map: PositionMapper;
  /** For a compiled file: 1 at each generated line (1-based) with no place in the original; else undefined. */
  sourcelessLines(file: string): Uint8Array | undefined;
  /**
   * For a position Node's source maps already mapped (in an error's stack text): false when no
   * mapping leads to it, i.e. Node left a generated position it could not map; undefined when unknown.
   */
  isOriginalPosition(file: string, line: number, column: number): boolean | undefined;
}

/** Decides which frames are the user's. */
export class UserFrameFilter {
  /** @param runnerDir directory of the runner bundle: its frames are never the user's. */
  constructor(private readonly runnerDir: string) {}

  /** True for a file name that belongs to the user's code. */
  isUser(path: string): boolean {
    if (path.length === 0) return false;
    if (path.startsWith('node:') || path.startsWith('internal/') || path.startsWith('wasm:')) return false;
    if (path.includes('/node_modules/') || path.includes('\\node_modules\\')) return false;
    if (this.runnerDir && path.startsWith(this.runnerDir)) return false;
    // Node's own code that runs eval'd code (`[worker eval]-wrapper` of an eval Worker, `[eval]-wrapper`
    // of `node -e`): only the eval'd code itself (`[worker eval]`, `[eval]`) is the user's.
    if (path.endsWith(']-wrapper') && path.startsWith('[')) return false;
    return true;
  }
}

/** Interns files and stacks of one thread, writing F and K records as new ones appear. */
export class StackInterner {
  private readonly files = new Map<string, FileInfo>();
  private readonly paths = new Map<number, string>();
  private nextFileId = 1;
  private readonly stacks = new Map<string, number>();
  private nextStackId = 1;
  /** Bound on the interning tables: beyond it a long-running script gets fresh ids (records are re-sent). */
  private static readonly MAX_STACKS = 200_000;

  constructor(
    private readonly out: TraceWriter,
    private readonly filter: UserFrameFilter,
    private readonly sources: CompiledSources,
  ) {}

  /**
   * What is known of a file; `compiled`: whether to ask for its sourceless lines (false for the
   * original file a source map points into: it is not the code that runs).
   */
  private fileInfo(name: string, compiled = true): FileInfo {
    let info = this.files.get(name);
    if (info === undefined) {
      let path = name;
      if (name.startsWith('file://')) {
        try {
          path = fileURLToPath(name);
        } catch {
          path = name;
        }
      }
      info = { id: this.filter.isUser(path) ? this.nextFileId++ : 0, path };
      if (info.id !== 0 && compiled) {
        try {
          info.sourceless = this.sources.sourcelessLines(path);
        } catch {
          // Without them every frame of the file is kept, as in a file that was not compiled.
        }
      }
      this.files.set(name, info);
      if (info.id !== 0) {
        this.paths.set(info.id, path);
        this.out.write(`["F",${info.id},${str(path)}]\n`);
      }
    }
    return info;
  }

  /** True when the call site is in the user's code. */
  isUserSite(cs: CallSite): boolean {
    const name = cs.getFileName();
    return typeof name === 'string' && this.fileInfo(name).id !== 0;
  }

  /**
   * Interns the first `maxFrames` user frames of `sites` starting at index `from`; returns the stack
   * id, or 0 when there is no user frame. Frames in code a compiler added with no original position
   * (the functions it emits) are not the user's: the next frame stands for them.
   */
  intern(sites: CallSite[], from: number, maxFrames: number): number {
    let key = '';
    let n = 0;
    for (let i = from; i < sites.length && n < maxFrames; i++) {
      const cs = sites[i];
      const name = cs.getFileName();
      if (typeof name !== 'string') continue;
      const info = this.fileInfo(name);
      if (info.id === 0) continue;
      const line = cs.getLineNumber();
      if (info.sourceless !== undefined && line !== null && info.sourceless[line] === 1) continue;
      key += `${info.id}:${line}:${cs.getColumnNumber()}:${cs.getFunctionName() ?? ''}|`;
      n++;
    }
    if (n === 0) return 0;
    return this.internKey(key);
  }

  /**
   * Interns a single frame given by file path and position: a generated one (mapped through the
   * source map), or with `original` an already original one (e.g. from a stack text Node mapped).
   */
  internFrame(path: string, line: number, column: number, fn: string, original = false): number {
    const info = this.fileInfo(path);
    if (info.id === 0) return 0;
    return this.internKey(`${original ? '=' : ''}${info.id}:${line}:${column}:${fn}|`);
  }

  /**
   * Interns a frame of an error's stack text, as {@link internFrame}; `mapped`: Node's source maps
   * already mapped the text. Returns 0 for a frame in a function the compiler emitted, not the user's: a
   * generated one on a sourceless line, or one Node could not map and left with its generated position.
   */
  internTextFrame(name: string, line: number, column: number, fn: string, mapped: boolean): number {
    const info = this.fileInfo(name);
    if (info.id === 0) return 0;
    if (info.sourceless !== undefined) {
      let emitted = false;
      try {
        emitted = mapped ? this.sources.isOriginalPosition(info.path, line, column) === false : info.sourceless[line] === 1;
      } catch {
        // Kept, as in a file that was not compiled.
      }
      if (emitted) return 0;
    }
    return this.internFrame(name, line, column, fn, mapped);
  }

  private internKey(key: string): number {
    let id = this.stacks.get(key);
    if (id !== undefined) return id;
    if (this.stacks.size >= StackInterner.MAX_STACKS) this.stacks.clear();
    id = this.nextStackId++;
    this.stacks.set(key, id);
    this.out.write(`["K",${id},${this.framesJson(key)}]\n`);
    return id;
  }

  /** Turns an intern key back into the K record's flat frame array, mapping positions to the original source. */
  private framesJson(key: string): string {
    const parts: string[] = [];
    for (const f of key.split('|')) {
      if (f.length === 0) continue;
      const original = f.startsWith('=');
      const a = f.indexOf(':');
      const b = f.indexOf(':', a + 1);
      const c = f.indexOf(':', b + 1);
      const fileId = Number(f.slice(original ? 1 : 0, a));
      let line = Number(f.slice(a + 1, b));
      let column = Number(f.slice(b + 1, c));
      const fn = f.slice(c + 1);
      const path = this.pathOf(fileId);
      let id = fileId;
      if (path !== undefined && !original) {
        try {
          const m = this.sources.map(path, line, column);
          // Into another file only when that one is the user's too (not a library's source).
          const into = m?.file === undefined || m.file === path ? fileId : this.fileInfo(m.file, false).id;
          if (m && into !== 0) {
            id = into;
            line = m.line;
            column = m.column;
          }
        } catch {
          // Keep the generated position when the map is unusable.
        }
      }
      parts.push(`${id},${line},${column},${str(fn)}`);
    }
    return `[${parts.join(',')}]`;
  }

  private pathOf(fileId: number): string | undefined {
    return this.paths.get(fileId);
  }
}
