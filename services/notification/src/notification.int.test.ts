import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { Topics, type SendNotification } from '@saga/contracts';
import {
  command,
  createProducer,
  describeServiceContract,
  postCommand,
  startTestService,
  testKafka,
  waitFor,
  type TestService,
} from '@saga/testkit';
import { fileChannel, type DeliveryChannel } from './channel.ts';
import { notificationService } from './service.ts';

type Send = typeof SendNotification._output;
const sink = join(mkdtempSync(join(tmpdir(), 'notify-')), 'sink.jsonl');
const file = fileChannel(sink);
/** The first hand-over of each order listed here fails (a provider that is down for a moment). */
const failOnce = new Set<string>();
const channel: DeliveryChannel = {
  async deliver(n) {
    if (failOnce.delete(n.orderId)) throw new Error('the provider is down');
    await file.deliver(n);
  },
};
const spec = notificationService(channel);
const send = (saga: string, kind: 'confirmed' | 'rejected', customerId = 'c1', messageId?: string) =>
  command<Send>('SendNotification', saga, { orderId: saga, customerId, kind }, messageId);
const delivered = (orderId: string) =>
  readFileSync(sink, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { orderId: string; kind: string; idempotencyKey: string })
    .filter((n) => n.orderId === orderId);

/** Publishes the order's verdict on the service's real `order.events` and waits until the service heard it. */
const decide = async (
  svc: TestService,
  producer: Producer,
  orderId: string,
  type: 'OrderApproved' | 'OrderRejected',
  customerId = 'c1',
) => {
  await publishVerdict(svc, producer, orderId, type, customerId);
  await waitFor(
    `the notification service to hear ${orderId} ${type}`,
    async () =>
      (await svc.ctx.pool.query('SELECT 1 FROM order_outcomes WHERE order_id = $1', [orderId])).rowCount === 1,
  );
};
const publishVerdict = (
  svc: TestService,
  producer: Producer,
  orderId: string,
  type: 'OrderApproved' | 'OrderRejected',
  customerId: string,
) =>
  producer.send({
    topic: svc.prefix + Topics.orderEvents,
    messages: [
      {
        key: orderId,
        value: JSON.stringify({
          messageId: randomUUID(),
          sagaId: orderId,
          occurredAt: new Date().toISOString(),
          type,
          payload: type === 'OrderApproved' ? { orderId, customerId } : { orderId, customerId, reason: 'TEST' },
        }),
      },
    ],
  });

let contractProducer: Producer | undefined;
describeServiceContract({
  spec,
  prepare: async (svc, saga) => {
    contractProducer ??= createProducer(testKafka('notification-contract-verdicts'));
    await contractProducer.connect();
    await decide(svc, contractProducer, saga, 'OrderApproved');
  },
  validCommand: (saga) => send(saga, 'confirmed'),
  effects: async (svc, saga) =>
    Number(
      (
        await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE order_id = $1', [
          saga,
        ])
      ).rows[0]!.n,
    ),
});
afterAll(() => contractProducer?.disconnect());

describe('notification domain over the real database', () => {
  let svc: TestService;
  const producer = createProducer(testKafka('notification-domain'));
  beforeAll(async () => {
    svc = await startTestService(spec, testKafka('notification-domain'));
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await svc.close();
  });

  it('records and delivers exactly one notification per order and kind, even for different command ids', async () => {
    await decide(svc, producer, 'n1', 'OrderRejected');
    const results = await Promise.all(
      [send('n1', 'rejected'), send('n1', 'rejected'), send('n1', 'rejected')].map((c) => postCommand(svc.url, c)),
    );
    expect(results.every((r) => r.body.payload.outcome === 'SUCCESS')).toBe(true);
    await waitFor('the delivery', () => delivered('n1').length > 0);
    expect(delivered('n1').map((n) => [n.kind, n.idempotencyKey])).toEqual([['rejected', 'n1:rejected']]);
    const res = await fetch(`${svc.url}/notifications/n1`);
    expect(((await res.json()) as unknown[]).length).toBe(1);
  });

  it("tells the customer only the order's outcome: the other kind is refused, whoever asks first", async () => {
    await decide(svc, producer, 'n2', 'OrderApproved');
    expect((await postCommand(svc.url, send('n2', 'rejected'))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'OUTCOME_CONTRADICTS_ORDER',
    });
    expect((await postCommand(svc.url, send('n2', 'confirmed'))).body.payload).toMatchObject({ outcome: 'SUCCESS' });
    await decide(svc, producer, 'n3', 'OrderRejected');
    const both = await Promise.all(
      [send('n3', 'confirmed'), send('n3', 'rejected')].map((c) => postCommand(svc.url, c)),
    );
    expect(both.map((r) => r.body.payload)).toMatchObject([
      { outcome: 'FAILURE', reason: 'OUTCOME_CONTRADICTS_ORDER' },
      { outcome: 'SUCCESS' },
    ]);
    await waitFor('the deliveries', () => delivered('n2').length > 0 && delivered('n3').length > 0);
    expect(delivered('n2').map((n) => n.kind)).toEqual(['confirmed']);
    expect(delivered('n3').map((n) => n.kind)).toEqual(['rejected']);
  });

  it("refuses a customer id that is not the order's", async () => {
    await decide(svc, producer, 'n4', 'OrderApproved', 'alice');
    expect((await postCommand(svc.url, send('n4', 'confirmed', 'mallory'))).body.payload).toMatchObject({
      outcome: 'FAILURE',
      reason: 'NOT_THE_ORDERS_CUSTOMER',
    });
    expect((await postCommand(svc.url, send('n4', 'confirmed', 'alice'))).body.payload).toMatchObject({
      outcome: 'SUCCESS',
    });
  });

  it('decides nothing before it heard the outcome: 409, nothing written; the same command succeeds once heard', async () => {
    const early = send('n5', 'confirmed');
    const res = await postCommand(svc.url, early);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/not yet: the outcome of order n5 is not known here yet/);
    expect((await svc.ctx.pool.query('SELECT 1 FROM notifications WHERE order_id = $1', ['n5'])).rowCount).toBe(0);
    await decide(svc, producer, 'n5', 'OrderApproved');
    expect((await postCommand(svc.url, early)).body.payload).toMatchObject({ outcome: 'SUCCESS' });
  });

  it('waits for an outcome in flight: a command a moment ahead of the verdict is answered once the verdict arrives', async () => {
    const pending = postCommand(svc.url, send('n6', 'rejected'));
    await publishVerdict(svc, producer, 'n6', 'OrderRejected', 'c1');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.payload).toMatchObject({ outcome: 'SUCCESS' });
  });

  it('hands a notification over again when its delivery failed, once, under its idempotency key', async () => {
    await decide(svc, producer, 'n7', 'OrderApproved');
    failOnce.add('n7');
    expect((await postCommand(svc.url, send('n7', 'confirmed'))).body.payload).toMatchObject({ outcome: 'SUCCESS' });
    await waitFor('the redelivery', async () => {
      const { rows } = await svc.ctx.pool.query<{ at: Date | null }>(
        'SELECT delivered_at AS at FROM notifications WHERE order_id = $1',
        ['n7'],
      );
      return rows[0]?.at != null;
    });
    expect(failOnce.has('n7')).toBe(false);
    expect(delivered('n7').map((n) => n.idempotencyKey)).toEqual(['n7:confirmed']);
  });

  it('answers 404 for an order with no notification', async () => {
    expect((await fetch(`${svc.url}/notifications/none`)).status).toBe(404);
  });
});

describe('the file channel', () => {
  it('writes each idempotency key once, also across a restart (a new channel over the same file)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'notify-ch-')), 'sink.jsonl');
    const n = {
      orderId: 'o',
      customerId: 'c',
      kind: 'confirmed' as const,
      message: 'm',
      idempotencyKey: 'o:confirmed',
    };
    const first = fileChannel(path);
    await Promise.all([first.deliver(n), first.deliver(n)]);
    await fileChannel(path).deliver(n);
    await fileChannel(path).deliver({ ...n, kind: 'rejected', idempotencyKey: 'o:rejected' });
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { idempotencyKey: string }).idempotencyKey),
    ).toEqual(['o:confirmed', 'o:rejected']);
  });
});
