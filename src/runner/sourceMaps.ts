/**
 * Source maps of JavaScript files the runner did not compile: the script's own build output
 * (`tsc --sourceMap`, a bundler) names its map in a `//# sourceMappingURL=` comment, so that a frame
 * in `dist/app.js` is recorded at its line in `src/app.ts`. Read once per file, off the hot path
 * (when a stack is first interned); a file with no usable map keeps its own positions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calleeColumn, decodeMappings, fileLines, type MapLookup } from './tsLoader';

/** A decoded map: per generated line [genColumn, sourceIndex, origLine, origColumn, …]; each source's path, or '' when it cannot be opened. */
interface FileMap {
  lookup: MapLookup;
  sources: string[];
  /** The generated lines (for the callee of a `(0, mod_1.name)(…)` call). */
  lines: string[];
}

const maps = new Map<string, FileMap | null>();

/** The URL in a file's last `//# sourceMappingURL=` comment, if any. */
export function sourceMappingUrl(code: string): string | undefined {
  const m = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(code.slice(Math.max(0, code.lastIndexOf('sourceMappingURL=') - 4)));
  return m?.[1];
}

/** The JSON text of the map a `sourceMappingURL` of `file` names, or undefined. */
function mapText(file: string, url: string): { text: string; dir: string } | undefined {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma < 0 || !url.slice(0, comma).startsWith('data:application/json')) return undefined;
    const data = url.slice(comma + 1);
    const text = url.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
    return { text, dir: path.dirname(file) };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('file:')) return undefined;
  const mapFile = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(path.dirname(file), decodeURIComponent(url));
  return { text: fs.readFileSync(mapFile, 'utf8'), dir: path.dirname(mapFile) };
}

/** Reads and decodes the map of `file` (null when it has none that can be used). Never throws. */
function load(file: string): FileMap | null {
  try {
    const lines = /\.[cm]?js$/i.test(file) ? fileLines(file) : undefined;
    if (lines === undefined) return null;
    // The comment ends the file (a few blank lines may follow it).
    const url = sourceMappingUrl(lines.slice(-8).join('\n'));
    if (url === undefined) return null;
    const found = mapText(file, url);
    if (found === undefined) return null;
    const json = JSON.parse(found.text) as { version?: number; sources?: unknown; sourceRoot?: unknown; mappings?: unknown };
    if (json.version !== 3 || !Array.isArray(json.sources) || typeof json.mappings !== 'string') return null;
    const root = typeof json.sourceRoot === 'string' ? json.sourceRoot : '';
    const sources = json.sources.map((s: unknown) => {
      if (typeof s !== 'string') return '';
      const ref = root && !root.endsWith('/') && !s.startsWith('/') ? `${root}/${s}` : `${root}${s}`;
      if (/^[a-z][a-z0-9+.-]*:/i.test(ref) && !ref.startsWith('file:')) return '';
      const abs = ref.startsWith('file:') ? fileURLToPath(ref) : path.resolve(found.dir, ref);
      // A source that is not there to open (moved, or never shipped) is not a place to point at.
      return fs.existsSync(abs) ? abs : '';
    });
    if (!sources.some((s) => s !== '')) return null;
    return { lookup: decodeMappings(json.mappings, true), sources, lines };
  } catch {
    return null;
  }
}

/**
 * The original file and position (1-based) of a position in a JavaScript file with a source map,
 * or undefined (no map, no mapping on that line, or a source that cannot be opened).
 */
export function mapThroughSourceMap(file: string, line: number, column: number): { file: string; line: number; column: number } | undefined {
  let m = maps.get(file);
  if (m === undefined) {
    m = load(file);
    maps.set(file, m);
  }
  const segs = m?.lookup[line - 1];
  if (!m || !segs || segs.length === 0) return undefined;
  const col = calleeColumn(m.lines[line - 1], column) - 1;
  let best = 0;
  for (let i = 0; i < segs.length; i += 4) {
    if (segs[i] <= col) best = i;
    else break;
  }
  const source = m.sources[segs[best + 1]];
  if (!source) return undefined;
  return { file: source, line: segs[best + 2] + 1, column: segs[best + 3] + 1 };
}
