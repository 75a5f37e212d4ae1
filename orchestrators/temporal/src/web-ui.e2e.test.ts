import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { CHROMIUM_ARGS, ensureChromium, loadStackSettings } from '@saga/stack';
import { servers, testKafka, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { loadTemporalConfig } from './config.ts';
import { startTemporalCoordinator } from './coordinator.ts';

// The Temporal Web UIs of the local stack in a real headless Chromium (Debian's, driven by
// playwright-core by path): find a saga by its OrderId search attribute, read its history — on
// the dev server's embedded UI and on temporal-pg-ui (Temporal's UI server over the server on
// PostgreSQL). UPDATE_SCREENSHOTS=1 also writes the README's screenshots into docs/images/.
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/images/', import.meta.url));

const UIS = [
  { server: 'the dev server', ui: servers.TEMPORAL_UI_URL, address: servers.TEMPORAL_ADDRESS, shots: 'temporal-ui' },
  {
    server: 'the server on PostgreSQL',
    ui: servers.TEMPORAL_PG_UI_URL,
    address: servers.TEMPORAL_PG_ADDRESS,
    shots: 'temporal-pg-ui',
  },
];

describe.each(UIS)(
  'Temporal Web UI of $server: sagas found by order id, steps and compensations in the history',
  (ui) => {
    const kafka = testKafka(`temporal-web-ui-${ui.shots}`);
    let wb: Workbench;
    let coordinator: Awaited<ReturnType<typeof startTemporalCoordinator>>;
    let env: Record<string, string>;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      const executablePath = await ensureChromium(loadStackSettings(), (m) => console.log(m));
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      wb = await workbench(kafka);
      env = orchestratorEnv(wb.env(), {
        TRANSPORT: 'kafka',
        TEMPORAL_TASK_QUEUE: uniqueName('order-saga'),
        TEMPORAL_ADDRESS: ui.address,
      });
      coordinator = await startTemporalCoordinator(loadTemporalConfig(env));
      await wb.seedStock([{ sku: 'widget', quantity: 10 }]);
      await wb.seedCustomers([
        { id: 'alice', creditLimitCents: 100_000 },
        { id: 'bob', creditLimitCents: 500 },
      ]);
    });
    afterAll(async () => {
      await browser?.close();
      await coordinator?.stop();
      await wb?.close();
      if (env) await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_TEMPORAL_DATABASE!);
    });

    const finished = async (id: string) =>
      expect
        .poll(async () => (await coordinator.client.workflow.getHandle(id).describe()).status.name, { timeout: 30_000 })
        .toBe('COMPLETED');

    /** The workflow list filtered by the OrderId search attribute, as a person would type it. */
    const findByOrderId = async (id: string) => {
      const query = `OrderId="${id}"`;
      await page.goto(`${ui.ui}/namespaces/${servers.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(query)}`);
      const link = page.getByRole('link', { name: id, exact: true });
      await link.first().waitFor({ timeout: 30_000 });
      return link;
    };

    const historyText = async (id: string) => {
      const link = await findByOrderId(id);
      expect(await link.count()).toBe(1); // the search attribute finds exactly this saga
      await link.click();
      await page.waitForURL(new RegExp(`/workflows/${id}/`), { timeout: 30_000 });
      await page.getByText('sendCommand').first().waitFor({ timeout: 30_000 });
      return (await page.locator('body').innerText()).replaceAll(/\s+/g, ' ');
    };

    it('an approved saga: found by its order id; the history names every forward step and no compensation', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 2, unitPriceCents: 1_000 }]);
      await finished(id);
      const text = await historyText(id);
      for (const step of [
        'ReserveStock (reserveStock)',
        'AuthorizePayment (authorizePayment)',
        'ApproveOrder (approveOrder)',
        'CommitStock (commitStock)',
        'SendNotification (notifyConfirmed)',
      ]) {
        expect(text).toContain(step);
      }
      expect(text).not.toContain('ReleaseStock');
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOTS}${ui.shots}-approved.png`, fullPage: true });
      }
    });

    it('a declined payment: found by its order id; the history shows the refusal and the compensations', async () => {
      const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
      await finished(id);
      const text = await historyText(id);
      for (const step of [
        'ReserveStock (reserveStock)',
        'AuthorizePayment (authorizePayment)',
        'ReleaseStock (releaseStock)',
        'RejectOrder (rejectOrder)',
        'SendNotification (notifyRejected)',
      ]) {
        expect(text).toContain(step);
      }
      expect(text).not.toContain('CommitStock');
      if (process.env.UPDATE_SCREENSHOTS === '1')
        await page.screenshot({ path: `${SCREENSHOTS}${ui.shots}-declined.png`, fullPage: true });
    });

    it('the list filtered by a saga status shows only sagas in that status', async () => {
      const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 9_000 }]);
      await finished(id);
      const query = `SagaStatus="REJECTED" AND OrderId="${id}"`;
      await page.goto(`${ui.ui}/namespaces/${servers.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(query)}`);
      await page.getByRole('link', { name: id, exact: true }).waitFor({ timeout: 30_000 });
      await page.goto(
        `${ui.ui}/namespaces/${servers.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(`SagaStatus="COMPLETED" AND OrderId="${id}"`)}`,
      );
      await page.getByText('No Workflows Found').first().waitFor({ timeout: 30_000 }); // Web UI 2.54's empty list
      expect(await page.getByRole('link', { name: id, exact: true }).count()).toBe(0);
    });
  },
);
