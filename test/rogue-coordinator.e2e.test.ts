import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command, commandTopic, Reply, Topics } from '@saga/contracts';
import { collect, command, createProducer, postCommand, testKafka, waitFor, type Workbench } from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';

type Sent = Command;
const line = { sku: 'widget', quantity: 2 };

/**
 * ADR 0012: the services defend what they own against a confused, duplicated, late or rogue
 * coordinator. A saga is played by hand (as a coordinator would, over HTTP); then a rogue one
 * sends what must not act — over HTTP and over Kafka — and every such command gets a FAILURE reply
 * with a machine-readable reason while nothing changes in any database.
 */
describe.each(['http', 'kafka'] as const)('a rogue coordinator over %s', (via) => {
  const kafka = testKafka(`rogue-e2e-${via}`);
  let wb: Workbench;
  let replies: Awaited<ReturnType<typeof collect>>;
  const producer = createProducer(kafka);

  beforeAll(async () => {
    wb = await workbench(kafka);
    await wb.seedStock([{ sku: 'widget', quantity: 100 }]);
    await wb.seedCustomers([
      { id: 'alice', creditLimitCents: 1_000_000 },
      { id: 'bob', creditLimitCents: 500 },
    ]);
    replies = await collect(kafka, [wb.prefix + Topics.sagaReplies]);
    await producer.connect();
  });
  afterAll(async () => {
    await replies.stop();
    await producer.disconnect();
    await wb.close();
  });

  const urlOf = (c: Sent) => {
    const topic = commandTopic(c.type);
    const service = topic.split('.')[0] as 'order' | 'inventory' | 'payment' | 'notification';
    return wb.services[service].url;
  };
  /** The legitimate coordinator's step, over HTTP: the reply's payload. */
  const step = async (c: Sent) => (await postCommand(urlOf(c), c)).body.payload;
  /** The rogue's command over `via`; the reply's payload. */
  const rogue = async (c: Sent) => {
    if (via === 'http') {
      const res = await postCommand(urlOf(c), c);
      expect(res.status, `${c.type} over HTTP`).toBe(200);
      return res.body.payload;
    }
    await producer.send({
      topic: wb.prefix + commandTopic(c.type),
      messages: [{ key: c.sagaId, value: JSON.stringify(c) }],
    });
    const mine = () =>
      replies.messages.map((m) => Reply.parse(JSON.parse(m.value!))).find((r) => r.payload.commandId === c.messageId);
    await waitFor(`the reply to ${c.type}`, () => mine() !== undefined);
    return mine()!.payload;
  };
  /** Both services that hold resources have learnt the order's fate from order.events. */
  const outcomeKnown = (orderId: string) =>
    waitFor(`inventory and payment to learn ${orderId}'s outcome`, async () => {
      const known = await Promise.all(
        (['inventory', 'payment'] as const).map(
          async (s) =>
            (await wb.services[s].ctx.pool.query('SELECT 1 FROM order_outcomes WHERE order_id = $1', [orderId]))
              .rowCount === 1,
        ),
      );
      return known.every(Boolean);
    });
  const outcomeHeardByNotification = (orderId: string) =>
    waitFor(
      `notification to learn ${orderId}'s outcome`,
      async () =>
        (await wb.services.notification.ctx.pool.query('SELECT 1 FROM order_outcomes WHERE order_id = $1', [orderId]))
          .rowCount === 1,
    );
  const fresh = <C extends Sent>(type: C['type'], orderId: string, payload: C['payload']) =>
    command<C>(type, orderId, payload, `rogue:${randomUUID()}`);

  it('cannot void, release, reject or notify "rejected" an approved order; nothing changes', async () => {
    const id = await wb.placeOrder('alice', [{ ...line, unitPriceCents: 100 }]);
    for (const c of [
      command('ReserveStock', id, { orderId: id, lines: [line] }, `${id}:reserveStock`),
      command('AuthorizePayment', id, { orderId: id, customerId: 'alice', amountCents: 200 }, `${id}:authorizePayment`),
      command('ApproveOrder', id, { orderId: id }, `${id}:approveOrder`),
    ] as Sent[])
      expect(await step(c)).toMatchObject({ outcome: 'SUCCESS' });
    await outcomeKnown(id);
    // Before CommitStock: the approval alone protects the stock and the payment.
    expect(await rogue(fresh('ReleaseStock', id, { orderId: id }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_APPROVED',
    });
    for (const c of [
      command('CommitStock', id, { orderId: id }, `${id}:commitStock`),
      command('SendNotification', id, { orderId: id, customerId: 'alice', kind: 'confirmed' }, `${id}:notifyConfirmed`),
    ] as Sent[])
      expect(await step(c)).toMatchObject({ outcome: 'SUCCESS' });
    const before = await wb.effects(id);
    expect(before).toEqual({ order: 'APPROVED', reserved: 0, committed: 2, holds: 1, notifications: ['confirmed'] });

    expect(await rogue(fresh('VoidPayment', id, { orderId: id }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_APPROVED',
    });
    expect(await rogue(fresh('ReleaseStock', id, { orderId: id }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_APPROVED',
    });
    expect(await rogue(fresh('RejectOrder', id, { orderId: id, reason: 'ROGUE' }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_ALREADY_APPROVED',
    });
    expect(
      await rogue(fresh('SendNotification', id, { orderId: id, customerId: 'alice', kind: 'rejected' })),
    ).toMatchObject({ outcome: 'FAILURE', reason: 'OUTCOME_CONTRADICTS_ORDER' });
    expect(await wb.effects(id)).toEqual(before);
    expect(await wb.violations([id])).toEqual([]);
  });

  it("cannot tell an order's customer it failed before it is decided, nor under another customer's id", async () => {
    const id = await wb.placeOrder('alice', [{ ...line, unitPriceCents: 100 }]);
    for (const c of [
      command('ReserveStock', id, { orderId: id, lines: [line] }, `${id}:reserveStock`),
      command('AuthorizePayment', id, { orderId: id, customerId: 'alice', amountCents: 200 }, `${id}:authorizePayment`),
    ] as Sent[])
      expect(await step(c)).toMatchObject({ outcome: 'SUCCESS' });
    // Sent while the order is still open: nothing is decided before the order's outcome is heard.
    const early = fresh('SendNotification', id, { orderId: id, customerId: 'mallory', kind: 'rejected' });
    let answer: Promise<Reply['payload']>;
    if (via === 'http') {
      const res = await postCommand(urlOf(early), early);
      expect(res.status, res.body.error).toBe(409);
      expect(res.body.error).toMatch(/not yet/);
      answer = (async () => {
        await outcomeHeardByNotification(id);
        return step(early);
      })();
    } else answer = rogue(early);
    expect(await step(command('ApproveOrder', id, { orderId: id }, `${id}:approveOrder`))).toMatchObject({
      outcome: 'SUCCESS',
    });
    // Over Kafka the early command waited in the service for the verdict; over HTTP it is asked again.
    expect(await answer).toMatchObject({ outcome: 'FAILURE', reason: 'OUTCOME_CONTRADICTS_ORDER' });
    expect(
      await rogue(fresh('SendNotification', id, { orderId: id, customerId: 'mallory', kind: 'confirmed' })),
    ).toMatchObject({ outcome: 'FAILURE', reason: 'NOT_THE_ORDERS_CUSTOMER' });
    for (const c of [
      command('CommitStock', id, { orderId: id }, `${id}:commitStock`),
      command('SendNotification', id, { orderId: id, customerId: 'alice', kind: 'confirmed' }, `${id}:notifyConfirmed`),
    ] as Sent[])
      expect(await step(c)).toMatchObject({ outcome: 'SUCCESS' });
    expect(await wb.effects(id)).toEqual({
      order: 'APPROVED',
      reserved: 0,
      committed: 2,
      holds: 1,
      notifications: ['confirmed'],
    });
    expect(await wb.violations([id])).toEqual([]);
  });

  it("cannot bring back a rejected order's effects: no reserve, hold, commit, approval or 'confirmed'", async () => {
    const id = await wb.placeOrder('bob', [{ ...line, unitPriceCents: 1_000 }]);
    expect(await step(command('ReserveStock', id, { orderId: id, lines: [line] }, `${id}:reserveStock`))).toMatchObject(
      { outcome: 'SUCCESS' },
    );
    expect(
      await step(
        command(
          'AuthorizePayment',
          id,
          { orderId: id, customerId: 'bob', amountCents: 2_000 },
          `${id}:authorizePayment`,
        ),
      ),
    ).toMatchObject({ reason: 'INSUFFICIENT_CREDIT' });
    for (const c of [
      command('ReleaseStock', id, { orderId: id }, `${id}:releaseStock`),
      command('RejectOrder', id, { orderId: id, reason: 'INSUFFICIENT_CREDIT' }, `${id}:rejectOrder`),
      command('SendNotification', id, { orderId: id, customerId: 'bob', kind: 'rejected' }, `${id}:notifyRejected`),
    ] as Sent[])
      expect(await step(c)).toMatchObject({ outcome: 'SUCCESS' });
    await outcomeKnown(id);
    const before = await wb.effects(id);
    expect(before).toEqual({ order: 'REJECTED', reserved: 0, committed: 0, holds: 0, notifications: ['rejected'] });

    expect(await rogue(fresh('ReserveStock', id, { orderId: id, lines: [line] }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_RELEASED',
    });
    // Within bob's limit this time: refused all the same, the order is rejected.
    expect(
      await rogue(fresh('AuthorizePayment', id, { orderId: id, customerId: 'bob', amountCents: 100 })),
    ).toMatchObject({ outcome: 'FAILURE', reason: 'PAYMENT_VOIDED' });
    expect(await rogue(fresh('CommitStock', id, { orderId: id }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_REJECTED',
    });
    expect(await rogue(fresh('ApproveOrder', id, { orderId: id }))).toMatchObject({
      outcome: 'FAILURE',
      reason: 'ORDER_ALREADY_REJECTED',
    });
    expect(
      await rogue(fresh('SendNotification', id, { orderId: id, customerId: 'bob', kind: 'confirmed' })),
    ).toMatchObject({ outcome: 'FAILURE', reason: 'OUTCOME_CONTRADICTS_ORDER' });
    expect(await wb.effects(id)).toEqual(before);
    expect(await wb.violations([id])).toEqual([]);
  });

  it('a coordinator that rejects without compensating leaves nothing held: the services release on OrderRejected', async () => {
    const id = await wb.placeOrder('alice', [{ ...line, unitPriceCents: 100 }]);
    expect(await step(command('ReserveStock', id, { orderId: id, lines: [line] }, `${id}:reserveStock`))).toMatchObject(
      { outcome: 'SUCCESS' },
    );
    expect(
      await step(
        command(
          'AuthorizePayment',
          id,
          { orderId: id, customerId: 'alice', amountCents: 200 },
          `${id}:authorizePayment`,
        ),
      ),
    ).toMatchObject({ outcome: 'SUCCESS' });
    expect(await rogue(fresh('RejectOrder', id, { orderId: id, reason: 'FORGOT_TO_COMPENSATE' }))).toMatchObject({
      outcome: 'SUCCESS',
    });
    await outcomeKnown(id);
    await expect
      .poll(async () => wb.effects(id), { timeout: 10_000 })
      .toMatchObject({ order: 'REJECTED', reserved: 0, committed: 0, holds: 0 });
    expect(await wb.totals()).toMatchObject({ stockMismatch: 0, heldMismatch: 0 });
  });
});
