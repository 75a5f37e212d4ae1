import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SagaTimeline } from '@saga/contracts';
import { dropDatabase } from '@saga/postgres';
import { servers, testKafka, timelineProblems, TEST_ADMIN_TOKEN, type Workbench } from '@saga/testkit';
import { loadOrchestratorConfig } from './config.ts';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { startOrchestrator, type RunningOrchestrator } from './runtime.ts';

describe.each(['kafka', 'http'] as const)(
  'custom orchestrator over %s, end to end through the real services',
  (transport) => {
    const kafka = testKafka(`custom-e2e-${transport}`);
    let wb: Workbench;
    let orch: RunningOrchestrator;
    let env: Record<string, string>;

    beforeAll(async () => {
      wb = await workbench(kafka);
      env = orchestratorEnv(wb.env(), { TRANSPORT: transport });
      orch = await startOrchestrator(loadOrchestratorConfig(env));
      await wb.seedStock([
        { sku: 'widget', quantity: 10 },
        { sku: 'rare', quantity: 1 },
      ]);
      await wb.seedCustomers([
        { id: 'alice', creditLimitCents: 100_000 },
        { id: 'bob', creditLimitCents: 500 },
      ]);
    });
    afterAll(async () => {
      await orch.stop();
      await wb.close();
      await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!);
    });

    /** One saga's timeline, validated with the shape every coordinator serves. */
    const saga = async (id: string) => SagaTimeline.parse(await (await fetch(`${orch.url}/sagas/${id}`)).json());
    /** The order turns terminal at ApproveOrder/RejectOrder; the saga goes on to commit and notify. */
    const sagaEnds = (id: string, status: string) =>
      expect.poll(async () => (await saga(id)).status, { timeout: 20_000 }).toBe(status);

    it('happy path: approved, stock committed, one payment hold, one confirmed notification', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 2, unitPriceCents: 1_000 }]);
      expect((await wb.waitTerminal([id])).get(id)).toBe('APPROVED');
      await sagaEnds(id, 'COMPLETED');
      expect(await wb.effects(id)).toEqual({
        order: 'APPROVED',
        reserved: 0,
        committed: 2,
        holds: 1,
        notifications: ['confirmed'],
      });
      const t = await saga(id);
      expect(t.steps.map((s) => [s.step, s.kind, s.state, s.attempts])).toEqual(
        ['reserveStock', 'authorizePayment', 'approveOrder', 'commitStock', 'notifyConfirmed'].map((step) => [
          step,
          'step',
          'succeeded',
          1,
        ]),
      );
      for (const s of t.steps) expect(Date.parse(s.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!));
      expect(t).toMatchObject({ pending: [], compensation: { started: false, done: [], owed: [] } });
      expect(timelineProblems(t, 'happy')).toEqual([]);
    });

    it('out of stock: rejected with nothing reserved or held, one rejected notification', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'rare', quantity: 5, unitPriceCents: 100 }]);
      expect((await wb.waitTerminal([id])).get(id)).toBe('REJECTED');
      await sagaEnds(id, 'REJECTED');
      expect(await wb.effects(id)).toEqual({
        order: 'REJECTED',
        reserved: 0,
        committed: 0,
        holds: 0,
        notifications: ['rejected'],
      });
    });

    it('payment declined: the stock is released, the order rejected, one rejected notification', async () => {
      const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
      expect((await wb.waitTerminal([id])).get(id)).toBe('REJECTED');
      await sagaEnds(id, 'REJECTED');
      expect(await wb.effects(id)).toEqual({
        order: 'REJECTED',
        reserved: 0,
        committed: 0,
        holds: 0,
        notifications: ['rejected'],
      });
      const t = await saga(id);
      expect(t.steps.map((s) => `${s.step}:${s.state}`)).toEqual([
        'reserveStock:succeeded',
        'authorizePayment:refused',
        'releaseStock:succeeded',
        'rejectOrder:succeeded',
        'notifyRejected:succeeded',
      ]);
      expect(t.steps.find((s) => s.step === 'authorizePayment')?.detail).toBe('INSUFFICIENT_CREDIT');
      expect(t.compensation).toEqual({ started: true, done: ['releaseStock'], owed: [] });
      expect(timelineProblems(t, 'declined')).toEqual([]);
      expect(await wb.totals()).toEqual({ stockMismatch: 0, reservedNow: 0, heldMismatch: 0 });
    });

    it('starts nothing for a duplicate OrderCreated (saga id = order id)', async () => {
      const id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]);
      await sagaEnds(id, 'COMPLETED');
      // Resolves once the coordinator has handled the duplicate: then nothing more may have started.
      await wb.redeliverOrderCreated(id);
      const history = (await saga(id)).history;
      expect(history.filter((h) => h.kind === 'started')).toHaveLength(1);
      expect(history.filter((h) => h.kind === 'requested' && h.step === 'reserveStock')).toHaveLength(1);
      expect(await wb.effects(id)).toMatchObject({ committed: 1, holds: 1, notifications: ['confirmed'] });
    });

    // Over HTTP a refused command fails the attempt at once; over Kafka the service would keep
    // redelivering it to itself and recover without an operator, so this case is HTTP's.
    if (transport === 'http')
      it('a compensation that keeps failing parks the saga as NEEDS_ATTENTION; an operator retry finishes it', async () => {
        const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
        const faults = (svc: 'inventory' | 'payment', body: object) =>
          fetch(`${wb.services[svc].url}/admin/faults`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
        // Payment answers slowly (within the step timeout), which leaves time to break inventory
        // after ReserveStock and before the ReleaseStock that the refusal will trigger.
        await faults('payment', { latencyMs: 700 });
        const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
        await expect
          .poll(async () => (await saga(id)).steps.some((s) => s.step === 'reserveStock' && s.state === 'succeeded'), {
            interval: 20,
          })
          .toBe(true);
        await faults('inventory', { failureRate: 1 });
        await faults('payment', { latencyMs: 0 });
        await sagaEnds(id, 'NEEDS_ATTENTION');
        expect((await wb.effects(id)).reserved).toBe(1);
        const parked = await saga(id);
        expect(parked.compensation).toEqual({ started: true, done: [], owed: ['releaseStock'] });
        expect(parked.pending.map((p) => p.step)).toEqual(['releaseStock']);
        await faults('inventory', { failureRate: 0 });
        const res = await fetch(`${orch.url}/sagas/${id}/retry`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ note: 'inventory is back' }),
        });
        expect(res.status).toBe(200);
        await sagaEnds(id, 'REJECTED');
        expect(await wb.effects(id)).toEqual({
          order: 'REJECTED',
          reserved: 0,
          committed: 0,
          holds: 0,
          notifications: ['rejected'],
        });
      });

    it('lists sagas by status and refuses operator actions without the token or out of place', async () => {
      const list = (await (await fetch(`${orch.url}/sagas?status=COMPLETED`)).json()) as {
        items: { status: string }[];
        total: number;
      };
      expect(list.total).toBeGreaterThanOrEqual(1);
      expect(list.items.every((s) => s.status === 'COMPLETED')).toBe(true);
      const done = list.items[0] as unknown as { id: string };
      expect((await fetch(`${orch.url}/sagas/${done.id}/resolve`, { method: 'POST' })).status).toBe(401);
      const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
      const res = await fetch(`${orch.url}/sagas/${done.id}/compensate`, { method: 'POST', headers: auth, body: '{}' });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: string }).error).toMatch(/cannot compensate a saga that is COMPLETED/);
      expect((await fetch(`${orch.url}/sagas/nope/retry`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(
        404,
      );
      expect((await fetch(`${orch.url}/sagas?status=LOST`)).status).toBe(400);
    });
  },
);
