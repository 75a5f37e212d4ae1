import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SagaPage, Topics } from '@saga/contracts';
import { openOwnership, type Ownership } from '@saga/ownership';
import { createProducer, servers, testKafka, TEST_ADMIN_TOKEN, type Workbench } from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';
import { CONFORMANCE } from '@saga/testkit/conformance';

const TIMING = { stepTimeoutMs: 1_000, stepAttempts: 3, compensationAttempts: 3, deadlineMs: 6_000 };

/**
 * ORCHESTRATOR=choreography end to end (ADR 0018): the four real services react to each other's
 * events — no coordinator process — and the order service's view answers the operator API. Each
 * case is a row of the conformance table (`CONFORMANCE`), played with the services' fault
 * injection instead of scripted answers, and ends with the databases checked.
 */
describe('the choreographed saga', () => {
  const kafka = testKafka('choreography');
  let wb: Workbench;
  let api: string;
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const covered = new Set<string>();

  beforeAll(async () => {
    wb = await workbench(kafka, { choreography: TIMING });
    api = wb.services.order.url;
    await wb.seedStock([{ sku: 'widget', quantity: 1_000 }, { sku: 'rare', quantity: 1 }]);
    await wb.seedCustomers([{ id: 'alice', creditLimitCents: 10_000_000 }, { id: 'bob', creditLimitCents: 500 }]);
  });
  afterAll(async () => {
    await wb?.close();
  });

  type Saga = { status: string; reason: string | null; parked: string | null; currentStep: string | null; history: { cause: string; event: string | null; occurredAt: string | null }[] };
  /** When the service that acted published an event of the saga (its `occurredAt`). */
  const when = (s: Saga, event: string) => Date.parse(s.history.find((h) => h.event === event)?.occurredAt ?? 'missing');
  const saga = async (id: string) => (await (await fetch(`${api}/sagas/${id}`)).json()) as Saga;
  const sagaEnds = (id: string, status: string, timeout = 30_000) => expect.poll(async () => (await saga(id)).status, { timeout, interval: 50 }).toBe(status);
  const act = (id: string, action: string) => fetch(`${api}/sagas/${id}/${action}`, { method: 'POST', headers: auth, body: JSON.stringify({ note: 'choreography e2e' }) });
  const faults = async (svc: 'inventory' | 'payment', body: object) =>
    expect((await fetch(`${wb.services[svc].url}/admin/faults`, { method: 'POST', headers: auth, body: JSON.stringify(body) })).status).toBe(200);
  const order = (customer = 'alice', quantity = 1, unitPriceCents = 100) => wb.placeOrder(customer, [{ sku: 'widget', quantity, unitPriceCents }]);
  const REJECTED = { order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] };
  /**
   * An order whose stock is reserved and whose payment is then declined, while inventory fails
   * every command: its release (after the void) spends its attempts. Payment answers slowly until
   * the fault is on, so the release cannot slip in before it.
   */
  const reservedThenDeclined = async () => {
    await faults('payment', { latencyMs: 700 });
    const id = await order('bob', 1, 5_000);
    await expect.poll(async () => (await wb.effects(id)).reserved, { timeout: 10_000, interval: 20 }).toBe(1);
    await faults('inventory', { failureRate: 1 });
    await faults('payment', { latencyMs: 0 });
    return id;
  };
  const row = (name: string) => {
    expect(CONFORMANCE.map((c) => c.name)).toContain(name);
    covered.add(name);
  };

  it('happy path: every service reacts in turn; the view ends COMPLETED with each fact in its history', async () => {
    row('happy path');
    const id = await order();
    await sagaEnds(id, 'COMPLETED');
    expect(await wb.effects(id)).toEqual({ order: 'APPROVED', reserved: 0, committed: 1, holds: 1, notifications: ['confirmed'] });
    const s0 = await saga(id);
    const causes = s0.history.map((h) => h.cause);
    for (const fact of ['OrderCreated', 'StockReserved', 'PaymentAuthorized', 'OrderApproved', 'StockCommitted', 'NotificationSent (confirmed)']) expect(causes).toContain(fact);
    // The view lists facts as they reach it (four topics, no order between them); the services acted in turn.
    expect(when(s0, 'StockReserved')).toBeLessThan(when(s0, 'PaymentAuthorized'));
    expect(when(s0, 'PaymentAuthorized')).toBeLessThan(when(s0, 'OrderApproved'));
    expect(await wb.violations([id])).toEqual([]);
  });

  it('out of stock: inventory refuses, the order is rejected, the undo chain runs and the customer is told', async () => {
    row('out of stock');
    const id = await wb.placeOrder('alice', [{ sku: 'rare', quantity: 2, unitPriceCents: 100 }]);
    await sagaEnds(id, 'REJECTED');
    expect((await saga(id)).reason).toBe('OUT_OF_STOCK');
    expect(await wb.effects(id)).toEqual(REJECTED);
  });

  it('payment declined: the reserved stock is released after the (empty) void, then "rejected" is sent', async () => {
    row('payment declined');
    const id = await order('bob', 1, 5_000);
    await sagaEnds(id, 'REJECTED');
    const s = await saga(id);
    expect(s.reason).toBe('INSUFFICIENT_CREDIT');
    // Reverse order: the payment is voided before the stock is released, the notification last.
    expect(when(s, 'OrderRejected')).toBeLessThan(when(s, 'PaymentVoided'));
    expect(when(s, 'PaymentVoided')).toBeLessThan(when(s, 'StockReleased'));
    expect(when(s, 'StockReleased')).toBeLessThan(when(s, 'NotificationSent'));
    expect(await wb.effects(id)).toEqual(REJECTED);
  });

  it('a step that keeps failing: its reaction spends its attempts, says so, and the order is rejected and undone', async () => {
    row('a step that never answers: retried, then compensated with the step in flight');
    await faults('payment', { failureRate: 1 });
    let id = '';
    try {
      id = await order();
      await expect.poll(async () => (await saga(id)).reason, { timeout: 20_000 }).toBe('RETRIES_EXHAUSTED:authorizePayment');
    } finally {
      await faults('payment', { failureRate: 0 });
    }
    await sagaEnds(id, 'REJECTED');
    expect(await wb.effects(id)).toEqual(REJECTED);
  });

  it("the deadline passes before the pivot: the order service, the deadline's owner, rejects the order", async () => {
    row('the deadline passes before the pivot');
    // Payment answers after the deadline: the order is rejected first, the late authorization is refused or voided.
    await faults('payment', { latencyMs: TIMING.deadlineMs + 1_500 });
    let id = '';
    try {
      id = await order();
      await expect.poll(async () => (await saga(id)).reason, { timeout: 20_000 }).toBe('DEADLINE_EXCEEDED');
    } finally {
      await faults('payment', { latencyMs: 0 });
    }
    await sagaEnds(id, 'REJECTED');
    await expect.poll(() => wb.effects(id), { timeout: 15_000 }).toEqual(REJECTED);
  });

  it('a compensation that keeps failing parks the saga; an operator retry publishes its event again and it finishes', async () => {
    row('a compensation refused: parked, an operator retry finishes the rollback');
    const id = await reservedThenDeclined();
    try {
      await sagaEnds(id, 'NEEDS_ATTENTION');
      expect((await saga(id)).parked).toMatch(/^releaseStock: RETRIES_EXHAUSTED:releaseStock/);
      const parked = SagaPage.parse(await (await fetch(`${api}/sagas?status=NEEDS_ATTENTION`)).json());
      expect(parked.items.map((s) => s.id)).toContain(id);
    } finally {
      await faults('inventory', { failureRate: 0 });
    }
    const res = await act(id, 'retry');
    expect(res.status, await res.clone().text()).toBe(200);
    await sagaEnds(id, 'REJECTED');
    expect(await wb.effects(id)).toEqual(REJECTED);
  });

  it('a parked saga resolved by hand stays RESOLVED; nothing else fits a finished saga (409)', async () => {
    row('a compensation refused: parked, an operator resolves it by hand');
    const id = await reservedThenDeclined();
    try {
      await sagaEnds(id, 'NEEDS_ATTENTION');
    } finally {
      await faults('inventory', { failureRate: 0 });
    }
    const res = await act(id, 'resolve');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await saga(id)).toMatchObject({ status: 'RESOLVED' });
    for (const action of ['retry', 'compensate', 'resolve']) expect((await act(id, action)).status, action).toBe(409);
    expect((await act(`no-such-${id}`, 'retry')).status).toBe(404);
  });

  it('an operator compensates before the pivot: the order is rejected, the step in flight undone too', async () => {
    row('an operator compensates before the pivot, the step in flight undone too');
    await faults('payment', { latencyMs: 1_500 });
    let id = '';
    try {
      id = await order();
      await expect.poll(async () => (await wb.effects(id)).reserved, { timeout: 10_000, interval: 20 }).toBe(1);
      const res = await act(id, 'compensate');
      expect(res.status, await res.clone().text()).toBe(200);
    } finally {
      await faults('payment', { latencyMs: 0 });
    }
    await sagaEnds(id, 'REJECTED');
    expect((await saga(id)).reason).toBe('OPERATOR_COMPENSATED');
    await expect.poll(() => wb.effects(id), { timeout: 15_000 }).toEqual(REJECTED);
  });

  it('a duplicate OrderCreated starts nothing twice: one reservation, one hold, one notification', async () => {
    const id = await order();
    await sagaEnds(id, 'COMPLETED');
    await wb.redeliverOrderCreated(id);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await wb.effects(id)).toEqual({ order: 'APPROVED', reserved: 0, committed: 1, holds: 1, notifications: ['confirmed'] });
    expect((await saga(id)).status).toBe('COMPLETED');
  });

  it("a saga another coordinator owns is left alone: no reaction, no view (ADR 0011's registry)", async () => {
    const other: Ownership = await openOwnership({ postgresUrl: servers.POSTGRES_URL, database: wb.registryDatabase!, owner: 'custom' });
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      const [theirs, free] = [randomUUID(), randomUUID()];
      expect(await other.claim(theirs)).toBe(true);
      const created = (id: string) => ({
        key: id,
        value: JSON.stringify({ messageId: randomUUID(), sagaId: id, occurredAt: new Date().toISOString(), type: 'OrderCreated', payload: { orderId: id, customerId: 'alice', lines: [{ sku: 'widget', quantity: 1 }], totalCents: 100 } }),
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

  it('every row of the conformance table that choreography plays is covered here', () => {
    // Not played: "approve retried past its step budget" (the order service approves in-process; there is no remote step to fail).
    expect(CONFORMANCE.filter((c) => !covered.has(c.name)).map((c) => c.name)).toEqual(['approve retried past its step budget: the pivot only goes forward']);
  });
});
