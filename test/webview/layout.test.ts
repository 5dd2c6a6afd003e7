// Browser tests of the page layout at the widths the panel really gets: beside the editor in VS Code
// (about half the window, ~540px), a medium panel, and a wide one. The bars must keep most of the
// width; the details stay reachable; the lane-label column is resizable by mouse and keyboard.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { fixture, info, launch, openPanel, pageErrors, pointOf, sendTrace, violations, OUTPUT } from './harness';

let browser: Browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function panelAt(width: number, height: number, state?: unknown): Promise<Page> {
  const page = await openPanel(browser, { theme: 'dark', width, height, state });
  await sendTrace(page, fixture('fetchLocalhost.cdtrace'));
  return page;
}

async function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await page.locator(selector).first().boundingBox();
  assert.ok(b, `${selector} is laid out`);
  return b;
}

const labelWidth = async (page: Page): Promise<number> => (await box(page, '.cd-labels')).width;

test('at 540px the chart gets most of the width and the details sit below it, reachable after selecting a bar', async () => {
  const page = await panelAt(540, 800);
  const canvas = await box(page, '.cd-canvas');
  assert.ok(canvas.width >= 0.55 * 540, `chart canvas is ${canvas.width}px of 540px`);
  assert.ok(canvas.height >= 150, `chart canvas is ${canvas.height}px high`);
  // Long labels are cut with an ellipsis; the whole label is in the tooltip.
  const label = page.locator('.cd-label[data-id="pool:queue"], .cd-label', { hasText: 'threadpool qu' }).first();
  assert.match((await label.getAttribute('title')) ?? '', /^threadpool queue/);

  const p = await pointOf(page, 'pool:0', 0);
  await page.mouse.click(p.x, p.y);
  const details = page.getByRole('complementary', { name: 'Details of the selection' });
  await details.locator('h2').waitFor({ state: 'visible' });
  assert.equal(await details.locator('h2').innerText(), 'fetchThing');
  const d = await box(page, '.cd-details');
  const chart = await box(page, '.cd-canvas');
  assert.ok(chart.width >= 0.55 * 540 && chart.height >= 150, `chart canvas ${chart.width}x${chart.height} with the details open`);
  assert.ok(d.y >= chart.y + chart.height - 1, 'details below the chart');
  assert.ok(d.y + 20 <= 800, 'details start inside the page');
  await details.getByRole('button', { name: /^fetchThing / }).scrollIntoViewIfNeeded();
  assert.ok(await details.getByRole('button', { name: /^fetchThing / }).isVisible(), 'the stack frames can be reached');
  await page.screenshot({ path: `${OUTPUT}/layout-540-dark.png` });

  // The drawer closes to give the chart the height, and a new selection opens it again.
  const toggle = page.getByRole('button', { name: '▾ Details' });
  await toggle.click();
  await details.waitFor({ state: 'hidden' });
  assert.equal(await page.getByRole('button', { name: '▸ Details' }).getAttribute('aria-expanded'), 'false');
  await page.waitForTimeout(100);
  assert.ok((await box(page, '.cd-canvas')).height > chart.height, 'the chart grows when the details close');
  const q = await pointOf(page, 'pool:1', 0);
  await page.mouse.click(q.x, q.y);
  await details.waitFor({ state: 'visible' });
  assert.equal((await info(page)).selected, 'pool:1#0');
  assert.deepEqual(pageErrors(page), []);
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('at 800px and 1400px the chart keeps most of the width; wide panels keep the details beside it', async () => {
  for (const [w, hgt] of [[800, 800], [1400, 900]] as const) {
    const page = await panelAt(w, hgt);
    const p = await pointOf(page, 'pool:0', 0);
    await page.mouse.click(p.x, p.y);
    const canvas = await box(page, '.cd-canvas');
    const d = await box(page, '.cd-details');
    assert.ok(canvas.width >= 0.6 * w, `chart canvas is ${canvas.width}px of ${w}px`);
    if (w > 900) assert.ok(d.x >= canvas.x + canvas.width - 1 && d.height > canvas.height / 2, 'details beside the chart');
    else assert.ok(d.y >= canvas.y + canvas.height - 1, 'details below the chart');
    await page.screenshot({ path: `${OUTPUT}/layout-${w}-dark.png` });
    await page.close();
  }
});

test('the lane-label column resizes by keyboard and by dragging, clamped, and the width is kept in the view state', async () => {
  const page = await panelAt(540, 800);
  const sep = page.getByRole('separator', { name: /Width of the lane labels/ });
  const w0 = await labelWidth(page);
  await sep.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await labelWidth(page), w0 + 16);
  assert.equal(await sep.getAttribute('aria-valuenow'), String(w0 + 16));
  await page.keyboard.press('End');
  const timeline = await box(page, '.cd-timeline');
  const widest = await labelWidth(page);
  assert.ok(widest <= 0.45 * timeline.width + 1, `labels at most 45% of the timeline (${widest} of ${timeline.width})`);
  assert.ok((await box(page, '.cd-canvas')).width >= 0.5 * 540);
  await page.keyboard.press('Home');
  assert.equal(await labelWidth(page), 60);

  const s = await box(page, '.cd-resizer');
  await page.mouse.move(s.x + s.width / 2, s.y + 100);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2 + 50, s.y + 100, { steps: 5 });
  await page.mouse.up();
  assert.equal(await labelWidth(page), 110);
  await page.waitForTimeout(400);
  const state = await page.evaluate(() => (globalThis as any).__state);
  assert.equal(state.labelWidth, 110);
  await page.close();

  const again = await panelAt(540, 800, state);
  assert.equal(await labelWidth(again), 110);
  assert.deepEqual(pageErrors(again), []);
  await again.close();
});
