/**
 * Checking the user's Node before running: the runner needs Node 20 or newer. Pure: no `vscode`.
 */
import { execFile } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Oldest Node major version the runner supports. */
export const MIN_NODE_MAJOR = 20;

/** A parsed `node --version`. */
export interface NodeVersion {
  major: number;
  minor: number;
  patch: number;
  /** As printed, e.g. `v20.11.1`. */
  text: string;
}

/** Parses the output of `node --version` (`v20.11.1`), or undefined when it is something else. */
export function parseNodeVersion(output: string): NodeVersion | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)\S*$/.exec(output.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: m[0] };
}

/** Result of probing a Node executable. */
export type NodeProbe =
  | { ok: true; version: NodeVersion }
  | { ok: false; reason: 'missing' | 'notNode' | 'tooOld' | 'failed'; detail: string };

/** Runs `<nodePath> --version` (5 s limit) and checks it is Node {@link MIN_NODE_MAJOR}+. */
export function probeNode(nodePath: string, env?: NodeJS.ProcessEnv): Promise<NodeProbe> {
  return new Promise((resolve) => {
    execFile(nodePath, ['--version'], { timeout: 5000, env, windowsHide: true }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES') resolve({ ok: false, reason: 'missing', detail: String(code) });
        else resolve({ ok: false, reason: 'failed', detail: err.message.split('\n')[0] });
        return;
      }
      const v = parseNodeVersion(String(stdout));
      if (!v) resolve({ ok: false, reason: 'notNode', detail: String(stdout).trim().slice(0, 80) });
      else if (v.major < MIN_NODE_MAJOR) resolve({ ok: false, reason: 'tooOld', detail: v.text });
      else resolve({ ok: true, version: v });
    });
  });
}

/**
 * The file `command` runs: itself when it names a path (relative ones from `cwd`), else the first
 * executable file of that name in the PATH of `env` (on Windows also with each PATHEXT extension).
 * Undefined when there is none.
 */
export function resolveExecutable(command: string, env: NodeJS.ProcessEnv, cwd = process.cwd(), platform: NodeJS.Platform = process.platform): string | undefined {
  const win = platform === 'win32';
  // Windows spells the variables in any case (`Path`).
  const variable = (name: string) => (win ? Object.entries(env).find(([k]) => k.toUpperCase() === name)?.[1] : env[name]);
  const exts = win ? ['', ...(variable('PATHEXT') ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const isFile = (f: string) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  };
  const first = (base: string) => exts.map((e) => base + e).find(isFile);
  if (isAbsolute(command) || command.includes('/') || (win && command.includes('\\'))) return first(resolve(cwd, command));
  for (const dir of (variable('PATH') ?? '').split(win ? ';' : delimiter)) {
    if (!dir) continue;
    const found = first(join(dir, command));
    if (found) return found;
  }
  return undefined;
}

/** Versions of Node executables already found good, by file identity (see {@link probeNodeCached}). */
const goodNodes = new Map<string, NodeVersion>();

/**
 * {@link probeNode}, but a Node already found good is not run again while it is the same file: same
 * real path, size, modification time and inode (an upgrade in place or a version manager's switch
 * changes one of them), started with the same NODE_OPTIONS. Failures are never kept, so a fixed
 * setting is seen at the next run. Saves a process start (`--version`: about 20 ms here) on every run after the first.
 */
export async function probeNodeCached(nodePath: string, env: NodeJS.ProcessEnv = process.env): Promise<NodeProbe> {
  let key: string | undefined;
  const file = resolveExecutable(nodePath, env);
  if (file !== undefined) {
    try {
      const real = realpathSync(file);
      const st = statSync(real);
      key = [real, st.size, st.mtimeMs, st.ino, env.NODE_OPTIONS ?? ''].join('\0');
    } catch {
      key = undefined;
    }
  }
  const known = key === undefined ? undefined : goodNodes.get(key);
  if (known) return { ok: true, version: known };
  const probe = await probeNode(nodePath, env);
  if (probe.ok && key !== undefined) goodNodes.set(key, probe.version);
  return probe;
}
