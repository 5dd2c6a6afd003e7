/**
 * Arguments: splitting what the user types into "Run with Arguments…" into argv, and building the
 * command line of the CLI that runs the script. Pure: no `vscode` import.
 */
import { dirname as pathDirname, resolve as pathResolve } from 'node:path';

/** Thrown for argument text that cannot be split (an unterminated quote). */
export class ArgumentSyntaxError extends Error {}

/**
 * Splits a command-line-like string into arguments, the way a POSIX shell would for plain words:
 * whitespace separates, `'…'` is literal, `"…"` allows `\"` and `\\`, a backslash outside quotes
 * escapes the next character. No variable expansion or globbing: the script gets the text as typed.
 */
export function splitArguments(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new ArgumentSyntaxError(`unterminated single quote at character ${i + 1}`);
      cur += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ArgumentSyntaxError(`unterminated double quote at character ${i + 1}`);
        const d = text[j];
        if (d === '"') break;
        if (d === '\\' && (text[j + 1] === '"' || text[j + 1] === '\\')) {
          cur += text[j + 1];
          j += 2;
        } else {
          cur += d;
          j++;
        }
      }
      inWord = true;
      i = j + 1;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Quotes arguments for display (and for the input box's initial value), inverse of {@link splitArguments}. */
export function joinArguments(args: readonly string[]): string {
  return args.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Everything that decides how a script is run. */
export interface RunSpec {
  /** Absolute path of the script. */
  script: string;
  /** Arguments after the script path. */
  args: string[];
  /** Working directory. */
  cwd: string;
  /** Node executable (name on PATH or absolute path). */
  nodePath: string;
  /** Extra Node options for the script. */
  runtimeArgs: string[];
  /** UV_THREADPOOL_SIZE for the script, or undefined for Node's default. */
  threadpoolSize?: number;
  /**
   * False to follow every promise however much the stack captures cost (`--no-overhead-limit`);
   * true or absent keeps the runner's overhead limit.
   */
  overheadLimit?: boolean;
  /** Variables to add (string) or remove (null) in the script's environment. */
  env: Record<string, string | null>;
}

/** The argv after the Node executable: `<cli.js> run --trace F [--threadpool-size N] [--no-overhead-limit] [--node-arg A]... script args...`. */
export function cliArguments(cliPath: string, traceFile: string, spec: RunSpec): string[] {
  const argv = [cliPath, 'run', '--trace', traceFile];
  if (spec.threadpoolSize !== undefined) argv.push('--threadpool-size', String(spec.threadpoolSize));
  if (spec.overheadLimit === false) argv.push('--no-overhead-limit');
  // `--node-arg=X` keeps an option that itself starts with `--` from being read as one of ours.
  for (const a of spec.runtimeArgs) argv.push(`--node-arg=${a}`);
  // `--` ends our options, so a script named like an option still runs.
  argv.push('--', spec.script, ...spec.args);
  return argv;
}

/** The environment of the CLI: the extension host's environment merged with the setting. */
export function mergeEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string | null>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    if (v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

/** Validates the `concurrencyDiagram.threadpoolSize` setting; returns a message for a bad value. */
export function checkThreadpoolSize(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1024) {
    return `concurrencyDiagram.threadpoolSize must be an integer from 1 to 1024 (libuv's limit), not ${JSON.stringify(v)}`;
  }
  return undefined;
}

/** A setting with a value that cannot be used; the message names the setting and the problem. */
export class SettingsError extends Error {}

/** The `concurrencyDiagram.*` settings as read from the configuration, unchecked. */
export interface RawRunSettings {
  nodePath?: unknown;
  cwd?: unknown;
  args?: unknown;
  env?: unknown;
  runtimeArgs?: unknown;
  threadpoolSize?: unknown;
  overheadLimit?: unknown;
}

/**
 * The working directory: the setting (with `${workspaceFolder}` and `${fileDirname}` expanded,
 * relative paths against the workspace folder), else the script's workspace folder, else its folder.
 */
export function resolveCwd(setting: string, workspaceFolder: string | undefined, scriptPath: string): string {
  const scriptDir = pathDirname(scriptPath);
  const base = workspaceFolder ?? scriptDir;
  const s = setting.trim();
  if (s === '') return base;
  const expanded = s.replace(/\$\{workspaceFolder\}/g, base).replace(/\$\{fileDirname\}/g, scriptDir);
  return pathResolve(base, expanded);
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks the settings and builds the {@link RunSpec} for a script. Throws {@link SettingsError}. */
export function specFromSettings(raw: RawRunSettings, script: string, workspaceFolder: string | undefined, argsOverride?: string[]): RunSpec {
  const nodePath = raw.nodePath ?? 'node';
  if (typeof nodePath !== 'string' || nodePath.trim() === '') throw new SettingsError('concurrencyDiagram.nodePath must be the name or path of a Node.js executable');
  const cwd = raw.cwd ?? '';
  if (typeof cwd !== 'string') throw new SettingsError('concurrencyDiagram.cwd must be a string (a folder path)');
  const args = argsOverride ?? raw.args ?? [];
  if (!isStringArray(args)) throw new SettingsError('concurrencyDiagram.args must be an array of strings');
  const runtimeArgs = raw.runtimeArgs ?? [];
  if (!isStringArray(runtimeArgs)) throw new SettingsError('concurrencyDiagram.runtimeArgs must be an array of strings');
  const env = raw.env ?? {};
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new SettingsError('concurrencyDiagram.env must be an object of variable names to strings');
  for (const [k, v] of Object.entries(env)) {
    if (v !== null && typeof v !== 'string') throw new SettingsError(`concurrencyDiagram.env: the value of ${k} must be a string or null, not ${JSON.stringify(v)}`);
  }
  const poolError = checkThreadpoolSize(raw.threadpoolSize);
  if (poolError) throw new SettingsError(poolError);
  const overheadLimit = raw.overheadLimit ?? true;
  if (typeof overheadLimit !== 'boolean') throw new SettingsError(`concurrencyDiagram.overheadLimit must be true or false, not ${JSON.stringify(overheadLimit)}`);
  return {
    script,
    args: [...args],
    cwd: resolveCwd(cwd, workspaceFolder, script),
    nodePath: nodePath.trim(),
    runtimeArgs: [...runtimeArgs],
    threadpoolSize: typeof raw.threadpoolSize === 'number' ? raw.threadpoolSize : undefined,
    overheadLimit,
    env: { ...(env as Record<string, string | null>) },
  };
}
