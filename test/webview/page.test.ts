// Browser tests of the diagram page in headless chromium, on the fixture traces: lanes, legend,
// hover, click-to-source, zoom, filters, search, keyboard, view state, live increments, themes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { fixture, info, launch, openPanel, pageErrors, pageRequests, pointOf, posted, sendTrace, setTheme, settle, violations, OUTPUT } from './harness';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function panelWith(trace: string, opts: Parameters<typeof openPanel>[1] = {}): Promise<Page> {
  const page = await openPanel(browser, { theme: 'dark', ...opts });
  await sendTrace(page, fixture(trace));
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).allTextContents();
const reveals = async (page: Page) => (await posted(page)).filter((m) => m.type === 'revealSource');

/** Waits (up to 5 s) until the rows satisfy `ok`, then returns them. */
async function rowsWhen(page: Page, ok: (rows: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    await settle(page);
    const rows = (await info(page)).rows;
    if (ok(rows)) return rows;
    await page.waitForTimeout(100);
  }
  return (await info(page)).rows;
}

async function clean(page: Page): Promise<void> {
  assert.deepEqual(pageErrors(page), []);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(pageRequests(page), []);
}

test('renders the lanes in order, grouped, with the legend and the run status', async () => {
  const page = await panelWith('pbkdf2Queue.cdtrace');
  const rows = (await info(page)).rows;
  assert.deepEqual(rows.slice(0, 7), ['# Threads', 'main', 'worker #1 hash.ts', 'threadpool 1', 'threadpool 2', 'threadpool queue', '# Async tasks']);
  assert.equal(rows[7], 'hashAll · hashAll.ts:30');
  const labels = await text(page, '.cd-label-text');
  assert.ok(labels.includes('worker #1 hash.ts'));
  assert.ok(labels.includes('threadpool 2'));
  const legend = await text(page, '.cd-legend-item');
  for (const word of ['Running', 'Waiting', 'Queued', 'Blocked event loop', 'Pool thread inferred']) assert.ok(legend.some((l) => l.startsWith(word)), word);
  assert.match((await text(page, '.cd-status'))[0], /Exited with code 0/);
  assert.match((await page.locator('#cd-summary').textContent()) ?? '', /2 JavaScript thread\(s\) \(1 worker\(s\)\), 2 threadpool thread\(s\)/);
  await page.screenshot({ path: `${OUTPUT}/pbkdf2-dark.png` });
  await clean(page);
  await page.close();
});

test('hover shows type, timing, thread and the source of the bar under the pointer', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  const p = await pointOf(page, 'pool:0', 0);
  await page.mouse.move(p.x, p.y);
  const tip = page.locator('.cd-tooltip');
  await tip.waitFor({ state: 'visible' });
  const t = (await tip.innerText()).split('\n');
  assert.equal(t[0], 'GETADDRINFOREQWRAP · fetchThing');
  assert.ok(t.includes('running (placement inferred)'));
  assert.ok(t.includes('waited 8 µs before it ran'));
  assert.ok(t.includes('thread threadpool 1'));
  assert.ok(t.includes('source /home/dev/proj/app.ts:12:21'));
  assert.ok(t.includes('at fetchThing app.ts:12:21'));
  await page.screenshot({ path: `${OUTPUT}/fetch-hover-dark.png` });
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'hidden' });
  await clean(page);
  await page.close();
});

test('click posts revealSource for the bar, Ctrl+click opens to the side, details show stack and causes', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  const p = await pointOf(page, 'pool:1', 0);
  await page.mouse.click(p.x, p.y);
  await settle(page);
  assert.deepEqual(await reveals(page), [{ type: 'revealSource', file: '/home/dev/proj/app.ts', line: 12, column: 21, toSide: false }]);
  await page.keyboard.down('Control');
  await page.mouse.click(p.x, p.y);
  await page.keyboard.up('Control');
  await settle(page);
  assert.equal((await reveals(page))[1].toSide, true);
  const details = page.locator('.cd-details');
  assert.equal(await details.locator('h2').innerText(), 'fetchThing');
  const frames = await details.locator('ol.cd-list li').allInnerTexts();
  assert.deepEqual(frames.map((f) => f.trim()), ['fetchThing /home/dev/proj/app.ts:12:21', '(anonymous) /home/dev/proj/app.ts:19:46', 'main /home/dev/proj/app.ts:19:38']);
  // Each frame is clickable.
  await details.locator('ol.cd-list li button').nth(2).click();
  assert.deepEqual((await reveals(page)).at(-1), { type: 'revealSource', file: '/home/dev/proj/app.ts', line: 19, column: 38, toSide: false });
  const caused = await details.locator('section', { hasText: 'Caused by' }).locator('li').allInnerTexts();
  assert.deepEqual(caused.map((c) => c.trim()), ['GETADDRINFOREQWRAP fetchThing app.ts:12', 'PROMISE app.ts:24']);
  // Following the chain selects the trigger's bar.
  await details.locator('section', { hasText: 'Caused by' }).locator('button').first().click();
  await settle(page);
  assert.equal((await info(page)).selected, 'thread:4242:0#' + (await page.evaluate(() => (globalThis as any).cdApp.selected.index)));
  assert.equal(await details.locator('h2').innerText(), 'fetchThing');
  assert.match(await details.innerText(), /GETADDRINFOREQWRAP/);
  await page.screenshot({ path: `${OUTPUT}/fetch-selected-dark.png` });
  await clean(page);
  await page.close();
});

test('zoom: wheel around the pointer, buttons, keys and Shift+drag change the visible range; double-click resets', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  const full = (await info(page)).view;
  assert.equal(full.x0, 0);
  assert.equal(full.x1, 9.5);
  const p = await pointOf(page, 'thread:4242:0', 0);
  await page.mouse.move(p.x, p.y);
  await page.mouse.wheel(0, -400);
  await settle(page);
  const z = (await info(page)).view;
  assert.ok(z.x1 - z.x0 < full.x1 - full.x0, `zoomed in: ${JSON.stringify(z)}`);
  assert.ok(z.x0 < 0.3 && z.x1 > 0.3, 'the point under the pointer stays in view');
  // Lane labels stay.
  assert.ok((await text(page, '.cd-label-text')).includes('threadpool 1'));
  await page.dblclick('canvas', { position: { x: 400, y: 400 } });
  await settle(page);
  assert.deepEqual((await info(page)).view.x1, 9.5);
  await page.getByRole('button', { name: 'Zoom in (+)' }).click();
  await settle(page);
  assert.ok((await info(page)).view.x1 - (await info(page)).view.x0 <= 4.76);
  await page.focus('canvas');
  await page.keyboard.press('0');
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await settle(page);
  const k = (await info(page)).view;
  assert.ok(Math.abs(k.x1 - k.x0 - 9.5 / 4) < 0.01, JSON.stringify(k));
  await page.keyboard.press('Shift+ArrowRight');
  await settle(page);
  assert.ok((await info(page)).view.x0 > k.x0);
  await page.keyboard.press('0');
  // Shift+drag selects a range to zoom into.
  const a = await pointOf(page, 'thread:4242:0', 1);
  const b = await pointOf(page, 'thread:4242:0', 4);
  await page.keyboard.down('Shift');
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await settle(page);
  const d = (await info(page)).view;
  assert.ok(d.x0 > 1 && d.x1 < 3, `drag zoom ${JSON.stringify(d)}`);
  // A plain drag pans.
  await page.mouse.move(600, 300);
  await page.mouse.down();
  await page.mouse.move(700, 300, { steps: 5 });
  await page.mouse.up();
  await settle(page);
  const pan = (await info(page)).view;
  assert.ok(pan.x0 < d.x0 && Math.abs(pan.x1 - pan.x0 - (d.x1 - d.x0)) < 1e-6, `pan ${JSON.stringify(pan)}`);
  await clean(page);
  await page.close();
});

test('filters: lane groups, resource types (PROMISE hidden by default) and only my code', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  let rows = (await info(page)).rows;
  assert.ok(!rows.includes('PROMISE'));
  await page.locator('vscode-checkbox[data-type="PROMISE"]').click();
  rows = await rowsWhen(page, (r) => r.includes('PROMISE'));
  assert.ok(rows.includes('PROMISE'), rows.join('|'));
  await page.locator('vscode-checkbox', { hasText: 'Threads' }).first().click();
  rows = await rowsWhen(page, (r) => !r.includes('main'));
  assert.ok(!rows.includes('main') && !rows.includes('threadpool 1'), rows.join('|'));
  assert.equal(rows[0], '# Async tasks');
  await page.locator('vscode-checkbox', { hasText: 'Async tasks' }).click();
  rows = await rowsWhen(page, (r) => r[0] === '# Async resources');
  assert.equal(rows[0], '# Async resources');
  // Collapse a group from its label.
  await page.getByRole('button', { name: 'Collapse Async resources' }).click();
  await settle(page);
  assert.deepEqual((await info(page)).rows, ['# Async resources']);
  await page.getByRole('button', { name: 'Expand Async resources' }).click();
  await page.locator('vscode-checkbox', { hasText: 'Only my code' }).click();
  // Every fixture operation has a user frame, so the lanes stay; the filters are in the view state.
  await page.waitForFunction(() => (globalThis as any).__state?.filter.onlyMyCode === true);
  assert.ok((await info(page)).rows.includes('GETADDRINFOREQWRAP'));
  const state = await page.evaluate(() => (globalThis as any).__state);
  assert.deepEqual(state.filter.hiddenGroups.sort(), ['tasks', 'threads']);
  assert.deepEqual(state.filter.hiddenTypes, []);
  await clean(page);
  await page.close();
});

test('search highlights matches and steps through them; Enter on the chart reveals the match', async () => {
  const page = await panelWith('pbkdf2Queue.cdtrace');
  const field = page.locator('vscode-text-field input');
  await field.fill('hashone');
  await settle(page);
  const i = await info(page);
  assert.ok(i.matches >= 12, `matches ${i.matches}`); // six task lanes, six jobs, queued jobs, callbacks
  assert.match((await text(page, '.cd-search-count'))[0], /^1 of \d+$/);
  const first = i.selected;
  await page.getByRole('button', { name: 'Next match (Enter)' }).click();
  await settle(page);
  assert.notEqual((await info(page)).selected, first);
  assert.match((await text(page, '.cd-search-count'))[0], /^2 of /);
  await page.getByRole('button', { name: 'Previous match (Shift+Enter)' }).click();
  await settle(page);
  assert.equal((await info(page)).selected, first);
  await page.screenshot({ path: `${OUTPUT}/pbkdf2-search-dark.png` });
  await field.fill('no-such-function');
  await settle(page);
  assert.equal((await text(page, '.cd-search-count'))[0], 'no matches');
  await clean(page);
  await page.close();
});

test('keyboard: Tab to the chart, arrows move between bars and lanes, Enter reveals, Escape clears', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  await page.focus('canvas');
  await page.keyboard.press('ArrowDown');
  await settle(page);
  assert.equal((await info(page)).selected, 'thread:4242:0#0');
  assert.match((await page.locator('[aria-live="assertive"]').textContent()) ?? '', /event loop busy/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await settle(page);
  assert.equal((await info(page)).selected, 'thread:4242:0#2');
  await page.keyboard.press('ArrowDown');
  await settle(page);
  assert.match((await info(page)).selected ?? '', /^pool:0#0$/);
  await page.keyboard.press('Enter');
  assert.deepEqual((await reveals(page)).at(-1), { type: 'revealSource', file: '/home/dev/proj/app.ts', line: 12, column: 21, toSide: false });
  await page.keyboard.press('Escape');
  await settle(page);
  assert.equal((await info(page)).selected, undefined);
  // Every control has an accessible name.
  const unnamed = await page.evaluate(() => {
    const doc = (globalThis as any).document;
    return [...doc.querySelectorAll('vscode-button, button')].filter((b: any) => !(b.getAttribute('aria-label') || b.textContent.trim())).length;
  });
  assert.equal(unnamed, 0);
  await clean(page);
  await page.close();
});

test('statistics table sorts and links the longest waits to their bars', async () => {
  const page = await panelWith('pbkdf2Queue.cdtrace');
  await page.locator('.cd-stats summary').click();
  await settle(page);
  const types = page.locator('table', { hasText: 'Per resource type' });
  const firstType = async () => (await types.locator('tbody tr th').first().innerText()).trim();
  assert.equal(await firstType(), 'PBKDF2REQUEST');
  await types.getByRole('button', { name: 'Type' }).click();
  assert.equal(await firstType(), 'FSREQCALLBACK');
  await types.getByRole('button', { name: 'Count' }).click();
  assert.equal(await firstType(), 'PBKDF2REQUEST');
  assert.match(await page.locator('.cd-stats-facts').innerText(), /Total queued time\s+[\d.]+ ms over 5 job\(s\)/);
  assert.match(await page.locator('.cd-stats-facts').innerText(), /Event loop blocked\s+main: 24.5 ms in 1 stretch/);
  const waits = page.locator('section', { hasText: 'Top 10 longest waits' }).locator('button');
  assert.equal(await waits.count(), 10);
  await waits.first().click();
  await settle(page);
  assert.match((await info(page)).selected ?? '', /^(pool:queue|task:|thread:)/);
  await page.screenshot({ path: `${OUTPUT}/pbkdf2-stats-dark.png`, fullPage: true });
  await clean(page);
  await page.close();
});

test('live: increments grow the diagram and follow the newest time until the user zooms; run end shows the status', async () => {
  const page = await openPanel(browser, { theme: 'dark' });
  const all = fixture('fetchLocalhost.cdtrace');
  const lines = all.split('\n');
  const firstPart = lines.slice(0, 40).join('\n') + '\n';
  await sendTrace(page, firstPart, { live: true, end: false });
  const a = await info(page);
  assert.match((await text(page, '.cd-status'))[0], /running…/);
  await page.evaluate((t) => (globalThis as any).postMessage({ type: 'traceChunk', text: t }, '*'), lines.slice(40, 70).join('\n') + '\n');
  await page.waitForFunction((x1) => (globalThis as any).cdApp.debugInfo().view.x1 > x1, a.view.x1);
  const b = await info(page);
  assert.ok(b.rows.length >= a.rows.length);
  await page.getByRole('button', { name: 'Zoom in (+)' }).click();
  const zoomed = (await info(page)).view;
  await page.evaluate((t) => (globalThis as any).postMessage({ type: 'traceChunk', text: t }, '*'), lines.slice(70).join('\n'));
  await page.evaluate(() => (globalThis as any).postMessage({ type: 'runEnded', exitCode: 3, signal: null, stopped: false, summary: '1 thread, 12 async ops' }, '*'));
  await settle(page);
  assert.deepEqual((await info(page)).view, zoomed);
  assert.match((await text(page, '.cd-status'))[0], /Exited with code 3 · 1 thread, 12 async ops/);
  await clean(page);
  await page.close();
});

test('view state survives the panel being hidden and shown again', async () => {
  const page = await panelWith('fetchLocalhost.cdtrace');
  await page.locator('vscode-checkbox[data-type="Timeout"]').click();
  // Select first: zooming in around the middle moves this early bar out of view.
  const p = await pointOf(page, 'pool:2', 0);
  await page.mouse.click(p.x, p.y);
  await page.getByRole('button', { name: 'Zoom in (+)' }).click();
  await page.waitForTimeout(400);
  const state = await page.evaluate(() => (globalThis as any).__state);
  assert.ok(state.zoom && state.selection);
  await page.close();
  // A new page whose webview API returns the saved state, as VS Code does when the panel comes back.
  const again = await openPanel(browser, { theme: 'dark', state });
  await sendTrace(again, fixture('fetchLocalhost.cdtrace'));
  const i = await info(again);
  assert.ok(!i.rows.includes('Timeout'));
  assert.deepEqual(i.view, state.zoom);
  assert.equal(i.selected, `${state.selection.laneId}#0`);
  await clean(again);
  await again.close();
});

test('themes: bars and text take the VS Code theme colours (dark, light, high contrast)', async () => {
  const page = await panelWith('pbkdf2Queue.cdtrace', { theme: 'dark' });
  const runningColour = async (): Promise<string> => {
    const p = await pointOf(page, 'pool:0', 0);
    const rgb = await page.evaluate(({ x, y }) => {
      const c = (globalThis as any).document.querySelector('canvas');
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      return [...c.getContext('2d').getImageData(Math.round((x - r.left) * k), Math.round((y - r.top) * k), 1, 1).data.slice(0, 3)];
    }, p);
    return '#' + rgb.map((v: number) => v.toString(16).padStart(2, '0')).join('');
  };
  const bodyBg = () => page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.body).backgroundColor);
  assert.equal(await runningColour(), '#3794ff');
  assert.equal(await bodyBg(), 'rgb(31, 31, 31)');
  await page.screenshot({ path: `${OUTPUT}/theme-dark.png` });
  await setTheme(page, 'light');
  await settle(page);
  assert.equal(await runningColour(), '#1a85ff');
  assert.equal(await bodyBg(), 'rgb(255, 255, 255)');
  await page.screenshot({ path: `${OUTPUT}/theme-light.png` });
  await setTheme(page, 'hc');
  await settle(page);
  assert.equal(await bodyBg(), 'rgb(0, 0, 0)');
  // High contrast: bars get the contrast border as an outline.
  const stroke = await page.evaluate(() => (globalThis as any).cdApp.timeline.theme.stroke[0]);
  assert.equal(stroke, '#6fc3df');
  await page.screenshot({ path: `${OUTPUT}/theme-hc.png` });
  await clean(page);
  await page.close();
});

test('promises no longer followed: a notice names the thread, time and cost; cut bars and the stop mark explain themselves', async () => {
  const page = await panelWith('followStop.cdtrace');
  const notice = page.locator('.cd-follow-stop');
  await notice.waitFor({ state: 'visible' });
  assert.equal(
    await notice.textContent(),
    "Promises of main not followed after 1,300 ms: its 41,230 stack captures took 1,025 ms, over the runner's limit; open tasks end at a zigzag. " +
      'To follow all: turn off the setting concurrencyDiagram.overheadLimit (CLI: --no-overhead-limit). Open setting',
  );
  await notice.getByRole('button', { name: 'Open setting' }).click();
  assert.deepEqual((await posted(page)).filter((m) => m.type === 'openOverheadSetting'), [{ type: 'openOverheadSetting' }]);
  const tip = page.locator('.cd-tooltip');
  // The waiting bar of a task open at the stop ends there and says why.
  const p = await pointOf(page, 'task:4242:0:5', 1);
  await page.mouse.move(p.x, p.y);
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.innerText(), /not followed after 1,300 ms: the runner stopped following this thread's promises \(its stack captures took 1,025 ms\)/);
  // The stop's mark on the thread lane.
  const stop = await page.evaluate(() => (globalThis as any).cdApp.pointAtTime('thread:4242:0', 1_300_000));
  await page.mouse.move(stop.x + 1, stop.y);
  await page.waitForFunction(() => /stopped following the promises of main/.test((globalThis as any).document.querySelector('.cd-tooltip')?.textContent ?? ''));
  assert.match(await tip.innerText(), /^At 1,300 ms the runner stopped following the promises of main: its 41,230 stack captures had taken 1,025 ms/);
  await page.screenshot({ path: `${OUTPUT}/follow-stop-dark.png` });
  // A trace without an O record has no notice.
  const other = await panelWith('pbkdf2Queue.cdtrace');
  assert.equal(await other.locator('.cd-follow-stop').isHidden(), true);
  await clean(page);
  await page.close();
  await other.close();
});

test('a trace that is not a trace gets a clear message', async () => {
  const page = await openPanel(browser, { theme: 'dark' });
  await sendTrace(page, '{"traceEvents":[]}\n');
  assert.equal((await text(page, '.cd-status'))[0], 'not a Concurrency Diagram trace: the first line is not a header record');
  await page.close();
});

test('selectOps from the host selects and highlights those bars; runState enables Stop and Re-run', async () => {
  const page = await panelWith('pbkdf2Queue.cdtrace');
  const stop = page.getByRole('button', { name: 'Stop the running script' });
  const rerun = page.getByRole('button', { name: 'Run the script again with the same settings' });
  assert.equal(await stop.getAttribute('disabled'), '');
  await page.evaluate(() => (globalThis as any).postMessage({ type: 'runState', running: true, canRerun: true }, '*'));
  await settle(page);
  assert.equal(await stop.getAttribute('disabled'), null);
  assert.equal(await rerun.getAttribute('disabled'), '');
  await stop.click();
  assert.deepEqual((await posted(page)).at(-1), { type: 'stop' });
  await page.evaluate(() => (globalThis as any).postMessage({ type: 'runState', running: false, canRerun: true }, '*'));
  await settle(page);
  await rerun.click();
  assert.deepEqual((await posted(page)).at(-1), { type: 'rerun' });
  // A CodeLens asks for the pool job of the third pbkdf2 call.
  await page.evaluate(() => (globalThis as any).postMessage({ type: 'selectOps', keys: ['job:3'] }, '*'));
  await settle(page);
  assert.match((await info(page)).selected ?? '', /^pool:0#1$/);
  assert.equal(await page.locator('.cd-details dd').first().innerText(), 'PBKDF2REQUEST');
  await page.getByRole('button', { name: /Export/ }).click();
  assert.deepEqual((await posted(page)).at(-1), { type: 'export' });
  await clean(page);
  await page.close();
});
