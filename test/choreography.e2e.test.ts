import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SagaTimeline, Topics } from '@saga/contracts';
import { openOwnership, type Ownership } from '@saga/ownership';
import { createProducer, servers, testKafka, timelineProblems, type Workbench } from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';

const TIMING = { stepTimeoutMs: 1_000, stepAttempts: 3, compensationAttempts: 3, deadlineMs: 6_000 };

/**
 * ORCHESTRATOR=choreography end to end (ADR 0018): the four real services react to each other's
 * events — no coordinator process — and the order service's view answers the operator API. The
 * conformance table's rows run on it with the other coordinators (conformance.e2e.test.ts); here,
 * what only choreography has: the services acting in turn (by their events' times), the undo as a
 * chain in reverse order, and a saga another coordinator owns left alone.
 */
describe('the choreographed saga', () => {
  const kafka = testKafka('choreography');
  let wb: Workbench;
  let api: string;

  beforeAll(async () => {
    wb = await workbench(kafka, { choreography: TIMING });
    api = wb.services.order.url;
    await wb.seedStock([
      { sku: 'widget', quantity: 1_000 },
      { sku: 'rare', quantity: 1 },
    ]);
    await wb.seedCustomers([
      { id: 'alice', creditLimitCents: 10_000_000 },
      { id: 'bob', creditLimitCents: 500 },
    ]);
  });
  afterAll(async () => {
    await wb?.close();
  });

  /** When a step ended: the time its service published the event that says so. */
  const when = (s: SagaTimeline, step: string) =>
    Date.parse(s.steps.find((x) => x.step === step)?.finishedAt ?? 'missing');
  /** One saga's timeline, validated with the shape every coordinator serves. */
  const saga = async (id: string) => SagaTimeline.parse(await (await fetch(`${api}/sagas/${id}`)).json());
  const sagaEnds = (id: string, status: string, timeout = 30_000) =>
    expect.poll(async () => (await saga(id)).status, { timeout, interval: 50 }).toBe(status);
  const order = (customer = 'alice', quantity = 1, unitPriceCents = 100) =>
    wb.placeOrder(customer, [{ sku: 'widget', quantity, unitPriceCents }]);
  const REJECTED = { order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] };
  it('happy path: every service reacts in turn; the view ends COMPLETED with each fact in its history', async () => {
    const id = await order();
    await sagaEnds(id, 'COMPLETED');
    expect(await wb.effects(id)).toEqual({
      order: 'APPROVED',
      reserved: 0,
      committed: 1,
      holds: 1,
      notifications: ['confirmed'],
    });
    const s0 = await saga(id);
    expect(timelineProblems(s0, 'happy')).toEqual([]);
    // The view hears facts as they reach it (four topics, no order between them); the services acted in turn.
    expect(when(s0, 'reserveStock')).toBeLessThan(when(s0, 'authorizePayment'));
    expect(when(s0, 'authorizePayment')).toBeLessThan(when(s0, 'approveOrder'));
    expect(await wb.violations([id])).toEqual([]);
  });

  it('payment declined: the reserved stock is released after the (empty) void, then "rejected" is sent', async () => {
    const id = await order('bob', 1, 5_000);
    await sagaEnds(id, 'REJECTED');
    const s = await saga(id);
    expect(s.reason).toBe('INSUFFICIENT_CREDIT');
    // Reverse order: the payment is voided before the stock is released, the notification last.
    expect(when(s, 'rejectOrder')).toBeLessThan(when(s, 'voidPayment'));
    expect(when(s, 'voidPayment')).toBeLessThan(when(s, 'releaseStock'));
    expect(when(s, 'releaseStock')).toBeLessThan(when(s, 'notifyRejected'));
    expect(timelineProblems(s, 'declined', { everyUndo: true })).toEqual([]);
    expect(await wb.effects(id)).toEqual(REJECTED);
  });

  it("a saga another coordinator owns is left alone: no reaction, no view (ADR 0011's registry)", async () => {
    const other: Ownership = await openOwnership({
      postgresUrl: servers.POSTGRES_URL,
      database: wb.registryDatabase!,
      owner: 'custom',
    });
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      const [theirs, free] = [randomUUID(), randomUUID()];
      expect(await other.claim(theirs)).toBe(true);
      const created = (id: string) => ({
        key: id,
        value: JSON.stringify({
          messageId: randomUUID(),
          sagaId: id,
          occurredAt: new Date().toISOString(),
          type: 'OrderCreated',
          payload: { orderId: id, customerId: 'alice', lines: [{ sku: 'widget', quantity: 1 }], totalCents: 100 },
        }),
      });
      await producer.send({ topic: wb.prefix + Topics.orderEvents, messages: [created(theirs), created(free)] });
      // The unclaimed one is the choreography's: inventory reserves for it and the view shows it.
      await expect.poll(async () => (await wb.effects(free)).reserved, { timeout: 10_000 }).toBe(1);
      await expect.poll(async () => (await fetch(`${api}/sagas/${free}`)).status, { timeout: 10_000 }).toBe(200);
      expect((await fetch(`${api}/sagas/${theirs}`)).status).toBe(404);
      expect(await wb.effects(theirs)).toMatchObject({ reserved: 0, holds: 0, notifications: [] });
      expect(await other.ownerOf(free)).toBe('choreography');
    } finally {
      await producer.disconnect();
      await other.close();
    }
  });
});
