import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer, explorerApp, sourcesOf } from '@saga/explorer';
import { createLogger, listen, type Listening } from '@saga/http';
import { dropDatabase } from '@saga/postgres';
import { CHROMIUM_ARGS, ensureChromium, loadStackSettings } from '@saga/stack';
import { sagaTimeline, servers, testKafka, TEST_ADMIN_TOKEN, type Workbench } from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';
import { COORDINATORS, TIMING, type Coordinator } from './coordinators.ts';

// The Saga Explorer in a real headless Chromium (Debian's, driven by playwright-core by path),
// against the four real services and each coordinator: a declined saga's compensations, a
// compensation that keeps failing parks the saga and a retry from the page finishes it, a batch
// retry of several parked sagas — the same pages for every coordinator.
// UPDATE_SCREENSHOTS=1 (npm run screenshots) also writes the README's screenshots into docs/images/.
const SCREENSHOTS = fileURLToPath(new URL('../docs/images/', import.meta.url));
const RESULTS = fileURLToPath(new URL('../benchmarks/results/', import.meta.url));
/** axe-core (npm), injected into the page: WCAG 2.1 A and AA rules, contrast and labels among them. */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.each(Object.keys(COORDINATORS))('the Saga Explorer in a browser: %s', (name) => {
  const kafka = testKafka(`explorer-${name}`);
  const spec = COORDINATORS[name]!;
  let wb: Workbench;
  let coordinator: Coordinator & { databases: string[] };
  let explorer: Listening;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const executablePath = await ensureChromium(loadStackSettings(), (m) => console.log(m));
    wb = await workbench(kafka, spec.choreography ? { choreography: TIMING } : {});
    coordinator = await spec.start(wb);
    await wb.seedStock([{ sku: 'widget', quantity: 1_000 }]);
    await wb.seedCustomers([
      { id: 'alice', creditLimitCents: 10_000_000 },
      { id: 'bob', creditLimitCents: 500 },
    ]);
    const sources = sourcesOf({ [`EXPLORER_${name.toUpperCase()}_URL`]: coordinator.url });
    explorer = await listen(
      explorerApp({
        logger: createLogger('explorer', 'warn'),
        sources,
        assets: await buildExplorer(),
        results: RESULTS,
      }),
      0,
    );
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await explorer?.close();
    await coordinator?.stop();
    await wb?.close();
    for (const db of coordinator?.databases ?? []) await dropDatabase(servers.POSTGRES_URL, db);
  });

  const status = async (id: string) => (await sagaTimeline(coordinator.url, id))?.status ?? 'NOT_STARTED';
  const sagaEnds = (id: string, want: string, timeout = 30_000) =>
    expect.poll(() => status(id), { timeout, interval: 100 }).toBe(want);
  const declinedOrder = () => wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
  /** Sagas whose stock release keeps failing: declined while inventory fails every command, so they park. */
  const parked = async (n: number) => {
    await wb.faults('payment', { latencyMs: 700 });
    const ids = await Promise.all(Array.from({ length: n }, () => declinedOrder()));
    await expect
      .poll(async () => Promise.all(ids.map(async (id) => (await wb.effects(id)).reserved)), { timeout: 10_000 })
      .toEqual(ids.map(() => 1));
    await wb.faults('inventory', { failureRate: 1 });
    await wb.faults('payment', { latencyMs: 0 });
    for (const id of ids) await sagaEnds(id, 'NEEDS_ATTENTION');
    return ids;
  };
  const shot = async (file: string) => {
    if (process.env.UPDATE_SCREENSHOTS !== '1' || name !== 'custom') return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}${file}`, fullPage: true });
  };
  const openList = async (query: string) => {
    await page.goto(`${explorer.url}/#/?source=${name}&${query}`);
    await page.getByRole('table').waitFor();
  };
  const enterToken = async () => {
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
  };

  // The page-side parts run in the browser, given as source text (this project's TypeScript has no DOM types).
  /** What axe-core finds against WCAG 2.1 A/AA on the page as it is now: rule, impact and where. */
  const accessibilityProblems = async () => {
    if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate<AxeViolation[]>(
      `axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
    );
    return violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  };
  /** The focused element: its tag, label and text. */
  const FOCUSED = `(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return '';
    const label = e.getAttribute('aria-label') ?? (e.labels?.[0]?.textContent ?? '');
    return (e.tagName + ' ' + label + ' ' + (e.textContent ?? '').trim()).replace(/\\s+/g, ' ');
  })()`;
  /** Presses Tab until the focused element's tag, label or text matches `what`. */
  const tabTo = async (what: RegExp) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (what.test(await page.evaluate<string>(FOCUSED))) return;
    }
    throw new Error(`Tab never reached ${String(what)}`);
  };
  /** The focused element shows it: matched by :focus-visible, with an outline at least 2 px wide. */
  const focusVisible = () =>
    page.evaluate<boolean>(`(() => {
      const e = document.activeElement;
      const style = getComputedStyle(e);
      return e.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    })()`);

  it('finds a declined saga by customer and status, and shows what its compensation did', async () => {
    const id = await declinedOrder();
    await sagaEnds(id, 'REJECTED');
    await openList('customerId=bob');
    await page.getByRole('button', { name: /^REJECTED \d+/ }).click();
    await expect.poll(() => page.getByRole('link', { name: id }).count(), { timeout: 15_000 }).toBe(1);
    await expect
      .poll(async () => page.getByRole('button', { name: /^REJECTED/ }).textContent())
      .toMatch(/REJECTED [1-9]/);
    await shot('explorer-list.png');
    await page.getByRole('link', { name: id }).click();
    await page.getByRole('heading', { name: new RegExp(`Saga ${id}`) }).waitFor();
    await expect.poll(() => page.getByText('INSUFFICIENT_CREDIT').first().isVisible()).toBe(true);
    const steps = page.locator('table.steps');
    await expect.poll(() => steps.getByRole('row', { name: /releaseStock compensation succeeded/ }).count()).toBe(1);
    await expect.poll(() => steps.getByRole('row', { name: /authorizePayment step refused/ }).count()).toBe(1);
    await expect.poll(() => page.getByText(/Done: .*releaseStock/).isVisible()).toBe(true);
    await shot('explorer-saga.png');
  });

  it('by keyboard alone, with the focus always shown; axe-core finds no WCAG 2.1 A/AA problem on the list or a saga', async () => {
    const id = await declinedOrder();
    await sagaEnds(id, 'REJECTED');
    await openList('customerId=bob');
    await expect.poll(() => page.getByRole('link', { name: id }).count(), { timeout: 15_000 }).toBe(1);
    expect(await accessibilityProblems()).toEqual([]);
    // The status tabs, the order filter and the saga's link are reached with Tab and used with Enter.
    await page.locator('body').focus();
    await tabTo(/^BUTTON .*REJECTED \d+/);
    expect(await focusVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('button', { name: /^REJECTED/ }).getAttribute('aria-pressed')).toBe('true');
    await tabTo(new RegExp(`^A .*${id}`));
    expect(await focusVisible()).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(`Saga ${id}`) }).waitFor();
    await expect.poll(() => page.getByText('INSUFFICIENT_CREDIT').first().isVisible()).toBe(true);
    expect(await accessibilityProblems()).toEqual([]);
    // On the saga's page: the way back and the admin token field, by keyboard too.
    await tabTo(/^A .*sagas/);
    expect(await focusVisible()).toBe(true);
    await tabTo(/^INPUT .*Admin token/);
    await page.keyboard.type(TEST_ADMIN_TOKEN);
    expect(await page.getByLabel('Admin token').inputValue()).toBe(TEST_ADMIN_TOKEN);
  });

  it('a compensation that keeps failing parks the saga; a retry from its page finishes it, and shows in its timeline', async () => {
    const [id] = await parked(1);
    try {
      await page.goto(`${explorer.url}/#/saga/${name}/${id!}`);
      await page.getByRole('heading', { name: /NEEDS_ATTENTION/ }).waitFor({ timeout: 15_000 });
      expect(await page.getByText(/still owed: .*releaseStock/).isVisible()).toBe(true);
      await shot('explorer-parked.png');
      expect(await accessibilityProblems()).toEqual([]);
      // Without the token the actions are off.
      await page.getByLabel('Admin token').fill('');
      expect(await page.getByRole('button', { name: 'retry' }).isDisabled()).toBe(true);
    } finally {
      await wb.faults('inventory', { failureRate: 0 });
    }
    await enterToken();
    await page.getByLabel('Note (kept in the timeline)').fill('inventory is back');
    await page.getByRole('button', { name: 'retry' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /retry: the saga is now/ })
      .waitFor();
    // Live: the page follows the saga to its end without a reload.
    await page.getByRole('heading', { name: /REJECTED/ }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('table.history tr.kind-operator').filter({ hasText: 'inventory is back' }).count(), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1);
    expect(await wb.effects(id!)).toEqual({
      order: 'REJECTED',
      reserved: 0,
      committed: 0,
      holds: 0,
      notifications: ['rejected'],
    });
  });

  it('a batch retry of every parked saga the filter selects, with progress; each one finishes', async () => {
    const ids = await parked(3);
    await wb.faults('inventory', { failureRate: 0 });
    await openList('status=NEEDS_ATTENTION&customerId=bob');
    await expect.poll(() => page.locator('table.sagas tbody tr').count(), { timeout: 15_000 }).toBe(3);
    await enterToken();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Apply to all selected' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /retry: 3 \/ 3 done — finished/ })
      .waitFor({ timeout: 30_000 });
    await shot('explorer-batch.png');
    expect(await accessibilityProblems()).toEqual([]);
    for (const id of ids) await sagaEnds(id, 'REJECTED');
    for (const id of ids) expect(await wb.violations([id])).toEqual([]);
    // The list follows: nothing parked is left.
    await expect
      .poll(() => page.getByText('No saga matches these filters.').isVisible(), { timeout: 15_000 })
      .toBe(true);
  });
});
