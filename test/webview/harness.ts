/**
 * Browser harness for the diagram page: headless Debian chromium through playwright-core, the
 * built bundle inlined into the page exactly as the standalone report does it, and a stand-in for
 * VS Code's `acquireVsCodeApi` that records what the page posts.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPageHtml } from '../../webview/pageHtml';

/** Repository root (this file's grandparent; the working directory when loaded in a way that hides it). */
export const ROOT = typeof __dirname === 'string' && existsSync(join(__dirname, '..', '..', 'package.json')) ? join(__dirname, '..', '..') : process.cwd();
/** Where screenshots go (git-ignored). */
export const OUTPUT = join(ROOT, 'test', 'output');

const CHROMIUM = '/usr/bin/chromium';

/** Launches headless chromium with the flags these machines need (plus `extraArgs`). */
export async function launch(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** Reads a fixture trace. */
export function fixture(name: string): string {
  return readFileSync(join(ROOT, 'test', 'fixtures', 'traces', name), 'utf8');
}

/** The page HTML with the built bundle inlined (run `node scripts/build.mjs` first). */
export function pageHtml(extra: { embeddedJson?: string; title?: string } = {}): string {
  const dist = join(ROOT, 'dist', 'webview');
  return renderPageHtml({
    nonce: 'dGVzdG5vbmNlMTIzNDU2',
    inlineScript: readFileSync(join(dist, 'main.js'), 'utf8'),
    inlineStyle: readFileSync(join(dist, 'main.css'), 'utf8'),
    embeddedJson: extra.embeddedJson,
    title: extra.title ?? 'Concurrency Diagram',
  });
}

/** VS Code's theme variables (a representative subset) for the three theme kinds. */
export const THEMES: Record<'dark' | 'light' | 'hc', { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'panel-border': '#2b2b2b',
      'sideBar-background': '#181818', 'focusBorder': '#0078d4', 'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616',
      'charts-red': '#f14c4c', 'textLink-foreground': '#4daafc', 'button-background': '#0078d4', 'button-foreground': '#ffffff',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc', 'input-background': '#313131', 'input-foreground': '#cccccc',
      'editorHoverWidget-background': '#202020', 'editorHoverWidget-border': '#454545', 'font-family': 'system-ui, sans-serif', 'font-size': '13px',
      'checkbox-background': '#313131', 'checkbox-border': '#3c3c3c', 'editor-findMatchBorder': '#e2c08d', 'foreground': '#cccccc',
      'checkbox-foreground': '#cccccc', 'input-placeholderForeground': '#989898', 'button-hoverBackground': '#026ec1', 'button-secondaryHoverBackground': '#3c3c3c',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b', 'descriptionForeground': '#3b3b3b', 'panel-border': '#e5e5e5',
      'sideBar-background': '#f8f8f8', 'focusBorder': '#005fb8', 'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616',
      'charts-red': '#e51400', 'textLink-foreground': '#005fb8', 'button-background': '#005fb8', 'button-foreground': '#ffffff',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b', 'input-background': '#ffffff', 'input-foreground': '#3b3b3b',
      'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-border': '#c8c8c8', 'font-family': 'system-ui, sans-serif', 'font-size': '13px',
      'checkbox-background': '#f8f8f8', 'checkbox-border': '#cecece', 'editor-findMatchBorder': '#c07a00', 'foreground': '#3b3b3b',
      'checkbox-foreground': '#3b3b3b', 'input-placeholderForeground': '#767676', 'button-hoverBackground': '#0258a8', 'button-secondaryHoverBackground': '#cccccc',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'editor-background': '#000000', 'editor-foreground': '#ffffff', 'descriptionForeground': '#ffffff', 'panel-border': '#6fc3df',
      'sideBar-background': '#000000', 'focusBorder': '#f38518', 'contrastBorder': '#6fc3df', 'charts-blue': '#3794ff', 'charts-yellow': '#ffd700',
      'charts-orange': '#ff8c00', 'charts-red': '#ff3333', 'textLink-foreground': '#21a6ff', 'button-background': '#000000', 'button-foreground': '#ffffff',
      'button-secondaryBackground': '#000000', 'button-secondaryForeground': '#ffffff', 'input-background': '#000000', 'input-foreground': '#ffffff',
      'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-border': '#6fc3df', 'font-family': 'system-ui, sans-serif', 'font-size': '13px',
      'checkbox-background': '#000000', 'checkbox-border': '#6fc3df', 'editor-findMatchBorder': '#f38518', 'foreground': '#ffffff',
      'checkbox-foreground': '#ffffff', 'input-placeholderForeground': '#ffffff', 'contrastActiveBorder': '#f38518', 'button-border': '#6fc3df',
    },
  },
};

/** Applies a theme the way VS Code does: variables on <html>'s style, a class on <body>. */
export async function setTheme(page: Page, kind: keyof typeof THEMES): Promise<void> {
  const t = THEMES[kind];
  await page.evaluate((t) => {
    const doc = (globalThis as any).document;
    for (const [k, v] of Object.entries(t.vars)) doc.documentElement.style.setProperty(`--vscode-${k}`, v);
    doc.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
    doc.body.classList.add(t.bodyClass);
  }, t);
}

/**
 * Stands in for VS Code's API (records posted messages and state) and defines `__name`, a helper
 * the TypeScript loader inserts into functions that tests pass to `page.evaluate`.
 */
const VSCODE_API_STUB = `
window.__name = (f) => f;
window.__posted = [];
window.__state = window.__seedState;
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample));
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state,
  setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
});
`;

/** Opens the page as the VS Code webview would host it; returns the page and the messages it posts. */
export async function openPanel(browser: Browser, opts: { width?: number; height?: number; theme?: keyof typeof THEMES; state?: unknown } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: opts.width ?? 1400, height: opts.height ?? 820 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  (page as Page & { cdErrors: string[] }).cdErrors = errors;
  // A string, not a function: the TypeScript loader would add helpers that do not exist in the page.
  if (opts.state !== undefined) await page.addInitScript({ content: `window.__seedState = ${JSON.stringify(opts.state)};` });
  await page.addInitScript({ content: VSCODE_API_STUB });
  await serve(page, pageHtml());
  if (opts.theme) await setTheme(page, opts.theme);
  try {
    await page.waitForFunction(() => (globalThis as any as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'), undefined, { timeout: 15000 });
  } catch (e) {
    throw new Error(`the page did not say ready: ${(e as Error).message}; page errors: ${errors.join(' | ')}; CSP: ${(await violations(page)).join(' | ')}`);
  }
  return page;
}

/** Fake origin the pages are served from (intercepted: nothing goes to the network). */
export const PAGE_URL = 'http://diagram.test/';

/** Serves `html` at {@link PAGE_URL}, fails every other request (and records it), then opens it. */
export async function serve(page: Page, html: string): Promise<void> {
  const requests: string[] = [];
  (page as Page & { cdRequests: string[] }).cdRequests = requests;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === PAGE_URL) return route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' });
    requests.push(url);
    return route.abort();
  });
  await page.goto(PAGE_URL);
}

/** Requests the page tried beyond its own HTML (there should be none). */
export function pageRequests(page: Page): string[] {
  return (page as Page & { cdRequests?: string[] }).cdRequests ?? [];
}

/** Errors the page logged (uncaught exceptions, console errors such as CSP violations). */
export function pageErrors(page: Page): string[] {
  return (page as Page & { cdErrors?: string[] }).cdErrors ?? [];
}

/** Sends a trace the way the host does: reset, the text in chunks split anywhere, run ended. */
export async function sendTrace(page: Page, text: string, opts: { title?: string; chunk?: number; live?: boolean; end?: boolean } = {}): Promise<void> {
  const chunk = opts.chunk ?? 997;
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += chunk) pieces.push(text.slice(i, i + chunk));
  await page.evaluate(
    ({ title, pieces, live, end }) => {
      const w = globalThis as any;
      w.postMessage({ type: 'reset', title, live }, '*');
      for (const p of pieces) w.postMessage({ type: 'traceChunk', text: p }, '*');
      if (end) w.postMessage({ type: 'runEnded', exitCode: 0, signal: null, stopped: false, summary: '' }, '*');
    },
    { title: opts.title ?? 'app.ts', pieces, live: opts.live ?? false, end: opts.end ?? true },
  );
  await settle(page);
}

/** Waits until the page has processed messages and painted. */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => !(globalThis as any as { cdApp: { busy: boolean } }).cdApp.busy);
  await page.evaluate(() => new Promise((r) => setTimeout(() => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r)), 50)));
}

/** Facts the page exposes for tests. */
export interface DebugInfo {
  rows: string[];
  view: { x0: number; x1: number; top: number };
  lastDrawMs: number;
  matches: number;
  selected?: string;
}

/** Reads {@link DebugInfo}. */
export function info(page: Page): Promise<DebugInfo> {
  return page.evaluate(() => (globalThis as any as { cdApp: { debugInfo(): DebugInfo } }).cdApp.debugInfo());
}

/** Client coordinates of the middle of a span. */
export async function pointOf(page: Page, laneId: string, index: number): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(({ laneId, index }) => (globalThis as any as { cdApp: { pointOf(l: string, i: number): { x: number; y: number } | undefined } }).cdApp.pointOf(laneId, index), { laneId, index });
  if (!p) throw new Error(`lane ${laneId} is not on screen`);
  return p;
}

/** Messages the page posted to the host so far. */
export function posted(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => (globalThis as any as { __posted: Record<string, unknown>[] }).__posted);
}

/** CSP violations the page reported. */
export function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as any as { __violations: string[] }).__violations);
}
