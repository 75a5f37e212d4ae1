import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { loadTemporalConfig } from './config.ts';
import { startTemporalCoordinator } from './coordinator.ts';
import { SagaStatusKey } from './shared.ts';

describe.each(['kafka', 'http'] as const)('Temporal coordinator over %s, end to end through the real services and the dev server', (transport) => {
  const kafka = testKafka(`temporal-e2e-${transport}`);
  let wb: Workbench;
  let coordinator: Awaited<ReturnType<typeof startTemporalCoordinator>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    wb = await workbench(kafka);
    env = orchestratorEnv(wb.env(), { TRANSPORT: transport, TEMPORAL_TASK_QUEUE: uniqueName('order-saga') });
    coordinator = await startTemporalCoordinator(loadTemporalConfig(env));
    await wb.seedStock([{ sku: 'widget', quantity: 10 }, { sku: 'rare', quantity: 1 }]);
    await wb.seedCustomers([{ id: 'alice', creditLimitCents: 100_000 }, { id: 'bob', creditLimitCents: 500 }]);
  });
  afterAll(async () => {
    await coordinator.stop();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_TEMPORAL_DATABASE!);
  });

  const sagaEnds = async (id: string, status: string) => {
    await expect.poll(async () => {
      const res = await fetch(`${coordinator.url}/sagas/${id}`);
      return res.status === 200 ? ((await res.json()) as { status: string }).status : 'NOT_STARTED';
    }, { timeout: 30_000 }).toBe(status);
    const described = await coordinator.client.workflow.getHandle(id).describe();
    expect(described.typedSearchAttributes.get(SagaStatusKey)).toBe(status);
  };

  it('happy path: approved, stock committed, one payment hold, one confirmed notification', async () => {
    const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 2, unitPriceCents: 1_000 }]);
    await sagaEnds(id, 'COMPLETED');
    expect(await wb.effects(id)).toEqual({ order: 'APPROVED', reserved: 0, committed: 2, holds: 1, notifications: ['confirmed'] });
  });

  it('out of stock: rejected with nothing reserved or held, one rejected notification', async () => {
    const id = await wb.placeOrder('alice', [{ sku: 'rare', quantity: 5, unitPriceCents: 100 }]);
    await sagaEnds(id, 'REJECTED');
    expect(await wb.effects(id)).toEqual({ order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] });
  });

  it('payment declined: the stock is released, the order rejected, one rejected notification', async () => {
    const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
    await sagaEnds(id, 'REJECTED');
    expect(await wb.effects(id)).toEqual({ order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] });
    expect(await wb.totals()).toEqual({ stockMismatch: 0, reservedNow: 0, heldMismatch: 0 });
  });
});
