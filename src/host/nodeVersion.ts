/**
 * Checking the user's Node before running: the runner needs Node 20 or newer. Pure: no `vscode`.
 */
import { execFile } from 'node:child_process';

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
