/**
 * The standalone HTML report: one self-contained file with the diagram page's script and styles
 * inlined and the trace embedded, that opens in any browser without network access.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPageHtml } from '../../webview/pageHtml';

/**
 * Where the built page lives: next to the CLI bundle (`dist/cli.js` → `dist/webview/`), or, when
 * this module runs from source (tests), in the repository's `dist/webview/`.
 */
function webviewDir(): string {
  const candidates = [join(__dirname, 'webview'), join(__dirname, '..', '..', 'dist', 'webview')];
  for (const c of candidates) if (existsSync(join(c, 'main.js')) && existsSync(join(c, 'main.css'))) return c;
  throw new Error(`the diagram page is not built (looked for main.js and main.css in ${candidates.join(' and ')}); run \`node scripts/build.mjs\``);
}

/** Renders the report for `traceText` (a whole trace file, format v1) under `title`. */
export function renderHtmlReport(traceText: string, title: string): string {
  const dir = webviewDir();
  return renderPageHtml({
    // Loaded here, not at the top: node:crypto costs every CLI start ~10 ms, and few runs write HTML.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    nonce: (require('node:crypto') as typeof import('node:crypto')).randomBytes(16).toString('base64'),
    inlineScript: readFileSync(join(dir, 'main.js'), 'utf8'),
    inlineStyle: readFileSync(join(dir, 'main.css'), 'utf8'),
    embeddedJson: JSON.stringify({ title, trace: traceText }),
    title: `Concurrency Diagram — ${title}`,
  });
}
