import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTopic, Topics, type Command } from '@saga/contracts';
import { outboxMigrations } from '@saga/outbox';
import {
  command,
  createProducer,
  postCommand,
  scratchDatabase,
  servers,
  testKafka,
  waitFor,
  type ScratchDb,
  type Workbench,
} from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';
import { check } from './checker.ts';
import { observeOrders } from './observer.ts';
import { takeSnapshot } from './snapshot.ts';

const kafka = testKafka('checker-int');
const customMigrations = {
  dir: fileURLToPath(new URL('../../../orchestrators/custom/migrations', import.meta.url)),
  table: 'pgmigrations',
};

/**
 * The checker's invariants against the real stack: one approved and one rejected saga played by
 * hand through the real services, then each violation injected into a real database (or the
 * broker) and seen reported by `takeSnapshot` + `check` — as the harness reads them after a suite.
 */
describe('the correctness checker over real databases', () => {
  let wb: Workbench;
  let orch: ScratchDb;
  let approved: string;
  let rejected: string;
  const kinds = async () =>
    check(
      await takeSnapshot({
        postgresUrl: servers.POSTGRES_URL,
        databases: {
          order: wb.services.order.database,
          inventory: wb.services.inventory.database,
          payment: wb.services.payment.database,
          notification: wb.services.notification.database,
        },
        sagaTables: [{ database: orch.name, table: 'sagas', coordinator: 'custom' }],
        outboxDatabases: [orch.name, wb.services.order.database],
        consumerGroupPrefix: wb.prefix,
        kafka,
        deadLetterTopics: [],
      }),
    ).map((v) => `${v.kind}:${v.subject}`);
  /** A coordinator's step, over HTTP to the service that owns the command. */
  const step = async (c: Command) => {
    const service = commandTopic(c.type).split('.')[0] as 'order' | 'inventory' | 'payment' | 'notification';
    expect((await postCommand(wb.services[service].url, c)).body.payload).toMatchObject({ outcome: 'SUCCESS' });
  };
  const sagaRow = (id: string, status: string) =>
    orch.pool.query(
      `INSERT INTO sagas (id, definition, status, data, state, version) VALUES ($1, 'order', $2, '{}', '{}', 1)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status`,
      [id, status],
    );
  const heard = (id: string) =>
    waitFor(
      `the notification service to hear ${id}'s outcome`,
      async () =>
        (await wb.services.notification.ctx.pool.query('SELECT 1 FROM order_outcomes WHERE order_id = $1', [id]))
          .rowCount === 1,
    );

  beforeAll(async () => {
    wb = await workbench(kafka);
    orch = await scratchDatabase('checker_orch', [outboxMigrations, customMigrations]);
    await wb.seedStock([{ sku: 'widget', quantity: 10 }]);
    await wb.seedCustomers([{ id: 'alice', creditLimitCents: 10_000 }]);
    const line = { sku: 'widget', quantity: 2 };
    approved = await wb.placeOrder('alice', [{ ...line, unitPriceCents: 100 }]);
    for (const c of [
      command('ReserveStock', approved, { orderId: approved, lines: [line] }),
      command('AuthorizePayment', approved, { orderId: approved, customerId: 'alice', amountCents: 200 }),
      command('ApproveOrder', approved, { orderId: approved }),
      command('CommitStock', approved, { orderId: approved }),
    ] as Command[])
      await step(c);
    await heard(approved);
    await step(
      command<Command>('SendNotification', approved, { orderId: approved, customerId: 'alice', kind: 'confirmed' }),
    );
    rejected = await wb.placeOrder('alice', [{ ...line, unitPriceCents: 100 }]);
    await step(command<Command>('RejectOrder', rejected, { orderId: rejected, reason: 'TEST' }));
    await heard(rejected);
    await step(
      command<Command>('SendNotification', rejected, { orderId: rejected, customerId: 'alice', kind: 'rejected' }),
    );
    await sagaRow(approved, 'COMPLETED');
    await sagaRow(rejected, 'REJECTED');
  });
  afterAll(async () => {
    await orch.drop();
    await wb.close();
  });

  it('finds nothing wrong once the two sagas are done and every consumer has caught up', async () => {
    await waitFor('a clean world', async () => (await kinds()).length === 0);
  });

  it("sees the coordinator's state disagree with the order, and a saga left open for a terminal order", async () => {
    await sagaRow(rejected, 'COMPLETED');
    await sagaRow(approved, 'RUNNING');
    expect(await kinds()).toEqual([
      `saga-disagrees-with-order:${rejected}`,
      `saga-open-for-terminal-order:${approved}`,
    ]);
    await sagaRow(rejected, 'REJECTED');
    await sagaRow(approved, 'COMPLETED');
  });

  it("sees a hold, a reservation and a notification of an order that does not exist, and a total that is not its lines' sum", async () => {
    const ghost = `ghost-${randomUUID()}`;
    await wb.services.payment.ctx.pool.query(
      `INSERT INTO holds (order_id, customer_id, amount_cents, status) VALUES ($1, 'alice', 5, 'VOIDED')`,
      [ghost],
    );
    await wb.services.notification.ctx.pool.query(
      `INSERT INTO notifications (order_id, kind, customer_id, message, delivered_at) VALUES ($1, 'rejected', 'alice', 'x', now())`,
      [ghost],
    );
    await wb.services.order.ctx.pool.query('UPDATE orders SET total_cents = total_cents + 1 WHERE id = $1', [rejected]);
    expect(await kinds()).toEqual([`orphan-row:${ghost}`, `orphan-row:${ghost}`, `order-total-mismatch:${rejected}`]);
    await wb.services.payment.ctx.pool.query('DELETE FROM holds WHERE order_id = $1', [ghost]);
    await wb.services.notification.ctx.pool.query('DELETE FROM notifications WHERE order_id = $1', [ghost]);
    await wb.services.order.ctx.pool.query('UPDATE orders SET total_cents = total_cents - 1 WHERE id = $1', [rejected]);
  });

  it('sees a message left in an outbox nobody relays', async () => {
    await orch.pool.query(`INSERT INTO outbox (topic, key, message_id, payload) VALUES ('nowhere', 'k', $1, '{}')`, [
      randomUUID(),
    ]);
    expect(await kinds()).toEqual([`outbox-not-empty:${orch.name}`]);
    await orch.pool.query('DELETE FROM outbox');
  });

  it('sees a running consumer group of the run that has not read its topic to the end', async () => {
    const topic = wb.prefix + Topics.orderEvents;
    const group = `${wb.prefix}checker-laggard`;
    // Its committed offsets at the topic's end, then a member that reads nothing (paused) and one message more.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
    });
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async () => undefined });
    consumer.pause([{ topic }]);
    await waitFor(
      'the laggard to join',
      async () => (await admin.describeGroups([group])).groups[0]!.members.length > 0,
    );
    await admin.disconnect();
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'x', value: JSON.stringify({ type: 'Noise' }) }] });
    await producer.disconnect();
    await waitFor('the lag to show', async () => (await kinds()).includes(`consumer-lag:${group}`));
    await consumer.disconnect();
  });

  it('the observer catches an order with both OrderApproved and OrderRejected on order.events', async () => {
    const topic = wb.prefix + Topics.orderEvents;
    const observer = await observeOrders(kafka, `${wb.prefix}checker-observer`, topic);
    const id = `both-${randomUUID()}`;
    const producer = createProducer(kafka);
    await producer.connect();
    const event = (type: 'OrderApproved' | 'OrderRejected') => ({
      key: id,
      value: JSON.stringify({
        messageId: randomUUID(),
        sagaId: id,
        occurredAt: new Date().toISOString(),
        type,
        payload: type === 'OrderApproved' ? { orderId: id } : { orderId: id, reason: 'TEST' },
      }),
    });
    await producer.send({ topic, messages: [event('OrderApproved'), event('OrderRejected')] });
    await producer.disconnect();
    await waitFor('the observer to see both', () => observer.bothVerdicts.has(id));
    expect([...observer.bothVerdicts]).toEqual([id]);
    await observer.stop();
  });
});
