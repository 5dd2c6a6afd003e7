/**
 * The HTML of the diagram page, shared by the VS Code panel (scripts and styles loaded from the
 * extension through `webview.asWebviewUri`) and the standalone report (inlined, with the trace
 * embedded). Pure function: no DOM, no Node APIs.
 */

/** Options of {@link renderPageHtml}. */
export interface PageHtmlOptions {
  /** `webview.cspSource` inside VS Code; omit for the standalone report. */
  cspSource?: string;
  /** A fresh random nonce (base64/hex) for this page load. */
  nonce: string;
  /** URL of dist/webview/main.js (VS Code panel). */
  scriptUri?: string;
  /** URL of dist/webview/main.css (VS Code panel). */
  styleUri?: string;
  /** Inlined script text (standalone report) instead of `scriptUri`. */
  inlineScript?: string;
  /** Inlined style text (standalone report) instead of `styleUri`. */
  inlineStyle?: string;
  /** JSON text embedded as `<script type="application/json" id="cd-report">` (standalone report). */
  embeddedJson?: string;
  /** Page title (plain text; escaped here). */
  title: string;
}

/** Escapes text for an HTML text node or a double-quoted attribute (the only kind this page writes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Makes script text safe inside `<script>…</script>`: no `</script` or `<!--` can end or confuse it. */
export function escapeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Makes JSON safe inside a `<script type="application/json">`: every `<` becomes `\u003c`. */
export function escapeJsonForHtml(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Renders the page with a strict Content-Security-Policy. */
export function renderPageHtml(opts: PageHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{8,}$/.test(opts.nonce)) throw new Error('renderPageHtml: the nonce must be at least 8 base64/hex characters');
  if (!opts.scriptUri && opts.inlineScript === undefined) throw new Error('renderPageHtml: give scriptUri or inlineScript');
  const n = opts.nonce;
  const src = opts.cspSource ? ` ${opts.cspSource}` : '';
  // The nonce also covers the toolkit's one feature-detection <style> (it reads the csp-nonce meta).
  const styleSrc = opts.inlineStyle !== undefined ? `'nonce-${n}'` : `${opts.cspSource ?? "'self'"} 'nonce-${n}'`;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${n}'`,
    `style-src ${styleSrc}`,
    `font-src${src || " 'none'"}`,
    `img-src${src} data:`,
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const style = opts.inlineStyle !== undefined ? `<style nonce="${n}">${opts.inlineStyle.replace(/<\/(style)/gi, '<\\/$1')}</style>` : `<link rel="stylesheet" href="${escapeHtml(opts.styleUri ?? '')}">`;
  const data = opts.embeddedJson !== undefined ? `<script type="application/json" id="cd-report">${escapeJsonForHtml(opts.embeddedJson)}</script>` : '';
  const script = opts.inlineScript !== undefined ? `<script nonce="${n}">${escapeInlineScript(opts.inlineScript)}</script>` : `<script nonce="${n}" src="${escapeHtml(opts.scriptUri!)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta property="csp-nonce" content="${n}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(opts.title)}</title>
${style}
</head>
<body>
<div id="cd-root"></div>
${data}
${script}
</body>
</html>
`;
}
