// The standalone HTML report and hostile trace content: one self-contained file that needs no
// network, shows the same diagram, copies `file:line` on click, and renders HTML-looking names
// from a trace as literal text without running anything.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Dialog, Page } from 'playwright-core';
import { renderHtmlReport } from '../../src/cli/htmlReport';
import { renderPageHtml } from '../../webview/pageHtml';

import { fixture, info, launch, openPanel, pageErrors, pageRequests, pointOf, sendTrace, serve, settle, violations, OUTPUT } from './harness';

const EVIL_FN = '<img src=x onerror=alert(1)>';
const EVIL_FILE = '/tmp/"quoted" dir/</script><script>alert(2)</script>.ts';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Records dialogs (alert) and elements that should never exist. */
async function watchForScript(page: Page): Promise<() => Promise<{ dialogs: string[]; injected: number }>> {
  const dialogs: string[] = [];
  page.on('dialog', (d: Dialog) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return async () => ({
    dialogs,
    injected: await page.evaluate(() => (globalThis as any).document.querySelectorAll('img, svg, #cd-root script').length),
  });
}

test('page HTML: strict CSP with a nonce, no unsafe-inline or unsafe-eval, title escaped', () => {
  const html = renderPageHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'abcDEF123456', scriptUri: 'https://x/main.js', styleUri: 'https://x/main.css', title: '<b>"t"</b>' });
  const csp = /content="(default-src[^"]*)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abcDEF123456'/);
  assert.match(csp, /style-src https:\/\/x.vscode-cdn.net 'nonce-abcDEF123456'/);
  assert.doesNotMatch(csp, /unsafe/);
  assert.match(html, /<title>&lt;b&gt;&quot;t&quot;&lt;\/b&gt;<\/title>/);
  assert.match(html, /<script nonce="abcDEF123456" src="https:\/\/x\/main.js"><\/script>/);
  assert.throws(() => renderPageHtml({ nonce: 'x', scriptUri: 'a', title: '' }), /nonce must be at least 8/);
});

test('report: one self-contained file, trace embedded safely', () => {
  const html = renderHtmlReport(fixture('xss.cdtrace'), 'xss.ts');
  assert.doesNotMatch(html, /<script[^>]+src=/);
  assert.doesNotMatch(html, /<link /);
  // The only `</script>` sequences are the closing tags of our own three script elements.
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  assert.match(html, /<script type="application\/json" id="cd-report">/);
  assert.ok(!html.includes(EVIL_FN), 'the hostile name appears only escaped');
});

test('XSS fixture in the panel: names and paths render literally and run nothing', async () => {
  const page = await openPanel(browser, { theme: 'dark' });
  const check = await watchForScript(page);
  await sendTrace(page, fixture('xss.cdtrace'));
  const rows = (await info(page)).rows;
  // The fixture's task rejected (its end record says so): its label starts with ✗.
  assert.ok(rows.includes(`✗ ${EVIL_FN} · script>.ts:3`), rows.join('|'));
  assert.ok(rows.includes('<svg/onload=alert(4)>'));
  const labels = await page.locator('.cd-label-text').allTextContents();
  assert.ok(labels.includes(`✗ ${EVIL_FN} · script>.ts:3`));
  // Tooltip and details of the task.
  const p = await pointOf(page, 'task:77:0:1', 0);
  await page.mouse.move(p.x, p.y);
  await page.locator('.cd-tooltip').waitFor({ state: 'visible' });
  assert.match(await page.locator('.cd-tooltip').innerText(), new RegExp(`source ${EVIL_FILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:5`));
  await page.mouse.click(p.x, p.y);
  await settle(page);
  assert.equal(await page.locator('.cd-details h2').innerText(), EVIL_FN);
  assert.match(await page.locator('.cd-details').innerText(), /'"><svg onload=alert\(3\)>/);
  // Run info shows the uncaught exception with its stack as text.
  await page.keyboard.press('Escape');
  await page.focus('canvas');
  await page.keyboard.press('Escape');
  await settle(page);
  assert.match(await page.locator('.cd-details').innerText(), /Error: <img src=x onerror=alert\(1\)>/);
  await page.locator('vscode-text-field input').fill('onerror');
  await settle(page);
  assert.ok((await info(page)).matches > 0);
  await page.waitForTimeout(300);
  const r = await check();
  assert.deepEqual(r, { dialogs: [], injected: 0 });
  assert.deepEqual(pageErrors(page), []);
  assert.deepEqual(await violations(page), []);
  await page.screenshot({ path: `${OUTPUT}/xss-panel.png` });
  await page.close();
});

test('standalone report: opens without network, same chart, click shows and copies file:line, XSS inert', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const check = await watchForScript(page);
  // Like a report opened from file://, this origin is not a secure context: the page copies through
  // a selected textarea and execCommand, which this stub records.
  await page.addInitScript({ content: 'window.__name = (f) => f; document.execCommand = (c) => { window.__copied = document.activeElement && document.activeElement.value; return true; };' });
  await serve(page, renderHtmlReport(fixture('xss.cdtrace'), EVIL_FILE));
  await page.waitForFunction(() => (globalThis as any).cdApp && (globalThis as any).cdApp.debugInfo().rows.length > 0);
  await settle(page);
  assert.equal(await page.title(), `Concurrency Diagram — ${EVIL_FILE}`);
  const rows = (await info(page)).rows;
  assert.ok(rows.includes('main') && rows.includes('threadpool 1'));
  assert.match((await page.locator('.cd-status').textContent()) ?? '', /Exited with code 1/);
  // No run controls in a report.
  assert.equal(await page.getByRole('button', { name: 'Stop the running script' }).count(), 0);
  const p = await pointOf(page, 'task:77:0:1', 0);
  await page.mouse.click(p.x, p.y);
  await settle(page);
  assert.equal(await page.locator('.cd-notice').innerText(), `${EVIL_FILE}:3:5 (copied ${EVIL_FILE}:3)`);
  assert.equal(await page.evaluate(() => (globalThis as any).__copied), `${EVIL_FILE}:3`);
  const r = await check();
  assert.deepEqual(r, { dialogs: [], injected: 0 });
  assert.deepEqual(errors, []);
  assert.deepEqual(pageRequests(page), []);
  await page.screenshot({ path: `${OUTPUT}/xss-report.png` });
  await page.close();
});

test('a 100k-bar generated trace renders', async () => {
  const { generateTrace } = await import('./generateTrace.mjs');
  const page = await openPanel(browser, { theme: 'dark', width: 1600, height: 900 });
  await sendTrace(page, generateTrace({ spans: 100_000, lanes: 200 }), { chunk: 1 << 20 });
  const i = await info(page);
  assert.equal(i.rows.filter((r) => r.startsWith('# ')).length, 3);
  assert.ok(i.rows.includes('# Async resources'));
  assert.ok(i.rows.length > 190);
  assert.ok((await page.evaluate(() => (globalThis as any).cdApp.layout.spanCount)) > 90_000);
  await page.screenshot({ path: `${OUTPUT}/generated-100k-dark.png` });
  assert.deepEqual(pageErrors(page), []);
  await page.close();
});
