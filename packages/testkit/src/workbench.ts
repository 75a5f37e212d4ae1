import type { Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandType } from '@saga/contracts';
import type { SagaTiming } from '@saga/config';
import { dropDatabase } from '@saga/postgres';
import type { ServiceSpec } from '@saga/service';
import { Topics } from '@saga/contracts';
import { collect, createProducer, servers, uniqueName, waitFor, type Received } from './index.ts';
import { isolatedTopics, startTestService, TEST_ADMIN_TOKEN, type TestService } from './service.ts';

export interface ServiceSpecs {
  order: ServiceSpec<'ApproveOrder' | 'RejectOrder'>;
  inventory: ServiceSpec<'ReserveStock' | 'ReleaseStock' | 'CommitStock'>;
  payment: ServiceSpec<'AuthorizePayment' | 'VoidPayment'>;
  notification: ServiceSpec<'SendNotification'>;
}
type Name = keyof ServiceSpecs;

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const TERMINAL_ORDER = ['APPROVED', 'REJECTED'];

/**
 * Waits until every consumer group named `prefix…` with members now that had read `partition` of
 * `topic` has committed an offset past `offset` (each handled the message there).
 */
export const consumedPast = async (kafka: Kafka, prefix: string, topic: string, partition: number, offset: number) => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(`every consumer of ${topic} past offset ${offset} of partition ${partition}`, async () => {
      const names = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
      const live = (await admin.describeGroups(names)).groups.filter((g) => g.members.length > 0).map((g) => g.groupId);
      for (const groupId of live) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
        if (at >= 0 && at <= offset) return false;
      }
      return true;
    });
  } finally {
    await admin.disconnect();
  }
};

/**
 * The four real services in-process on one set of isolated topics and scratch databases: what
 * a coordinator's end-to-end tests drive. Each service can be stopped and started again (same
 * database, same topics) to play "service down".
 */
export const startWorkbench = async (kafka: Kafka, specs: ServiceSpecs, opts: { choreography?: SagaTiming } = {}) => {
  const prefix = await isolatedTopics(kafka);
  // Under choreography the services drive the saga: their reactions run, claiming on a scratch registry (ADR 0018).
  const registryDatabase = opts.choreography ? uniqueName('t_registry') : undefined;
  const mode = opts.choreography ? { choreography: true, timing: opts.choreography, registryDatabase } : {};
  const services = {} as Record<Name, TestService>;
  for (const name of Object.keys(specs) as Name[]) {
    services[name] = await startTestService(specs[name] as ServiceSpec<CommandType>, kafka, prefix, {}, mode);
  }
  const call = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (res.status >= 400) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
  };
  const count = async (name: Name, sql: string, params: unknown[] = []) =>
    Number((await services[name].ctx.pool.query<{ n: number }>(sql, params)).rows[0]!.n);

  /** What each service's database says about one order. */
  const effectsOf = async (orderId: string) => ({
    order: (
      await services.order.ctx.pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId])
    ).rows[0]?.status,
    reserved: await count(
      'inventory',
      `SELECT coalesce(sum(quantity), 0)::int AS n FROM reservations WHERE order_id = $1 AND status = 'RESERVED'`,
      [orderId],
    ),
    committed: await count(
      'inventory',
      `SELECT coalesce(sum(quantity), 0)::int AS n FROM reservations WHERE order_id = $1 AND status = 'COMMITTED'`,
      [orderId],
    ),
    holds: await count('payment', `SELECT count(*)::int AS n FROM holds WHERE order_id = $1 AND status = 'HELD'`, [
      orderId,
    ]),
    notifications: (
      await services.notification.ctx.pool.query<{ kind: string }>(
        'SELECT kind FROM notifications WHERE order_id = $1 ORDER BY kind',
        [orderId],
      )
    ).rows.map((r) => r.kind),
  });
  /** Conservation across the databases: stock and money. */
  const totalsOf = async () => ({
    stockMismatch: await count(
      'inventory',
      'SELECT count(*)::int AS n FROM products WHERE on_hand + reserved + committed <> seeded',
    ),
    reservedNow: await count('inventory', 'SELECT coalesce(sum(reserved), 0)::int AS n FROM products'),
    heldMismatch: await count(
      'payment',
      `SELECT count(*)::int AS n FROM customers c WHERE held_cents <> (SELECT coalesce(sum(amount_cents), 0) FROM holds h WHERE h.customer_id = c.id AND h.status = 'HELD')`,
    ),
  });

  return {
    prefix,
    services,
    /** Env for a coordinator process that should drive these services. */
    env: () => ({
      KAFKA_TOPIC_PREFIX: prefix,
      ORDER_URL: services.order.url,
      INVENTORY_URL: services.inventory.url,
      PAYMENT_URL: services.payment.url,
      NOTIFICATION_URL: services.notification.url,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    }),
    seedStock: (lines: { sku: string; quantity: number }[]) =>
      call(`${services.inventory.url}/admin/stock`, { method: 'POST', headers: admin, body: JSON.stringify(lines) }),
    seedCustomers: (customers: { id: string; creditLimitCents: number }[]) =>
      call(`${services.payment.url}/admin/customers`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(customers),
      }),
    /** Fault injection of one service (`POST /admin/faults`); a refusal throws. */
    faults: async (
      service: 'order' | 'inventory' | 'payment',
      settings: { latencyMs?: number; failureRate?: number; crash?: boolean },
    ) => {
      await call(`${services[service].url}/admin/faults`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify(settings),
      });
    },
    placeOrder: async (customerId: string, lines: { sku: string; quantity: number; unitPriceCents: number }[]) =>
      (await call(`${services.order.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId, lines }),
      }))!.orderId as string,
    orderStatus: async (orderId: string) => (await call(`${services.order.url}/orders/${orderId}`))!.status as string,
    /** The current status of each order. */
    orderStatuses: async (orderIds: string[]) =>
      new Map(
        (
          await services.order.ctx.pool.query<{ id: string; status: string }>(
            'SELECT id, status FROM orders WHERE id = ANY($1)',
            [orderIds],
          )
        ).rows.map((r) => [r.id, r.status]),
      ),
    /** Waits until every order is APPROVED or REJECTED; returns their statuses. */
    waitTerminal: async (orderIds: string[], timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { rows } = await services.order.ctx.pool.query<{ id: string; status: string }>(
          'SELECT id, status FROM orders WHERE id = ANY($1)',
          [orderIds],
        );
        const done = rows.filter((r) => TERMINAL_ORDER.includes(r.status));
        if (done.length === orderIds.length) return new Map(rows.map((r) => [r.id, r.status]));
        if (Date.now() > deadline) {
          const finished = new Set(done.map((r) => r.id));
          const open = orderIds.filter((id) => !finished.has(id));
          throw Object.assign(
            new Error(
              `${open.length} of ${orderIds.length} orders not terminal after ${timeoutMs} ms: ${open.slice(0, 5).join(', ')}${open.length > 5 ? ', …' : ''}`,
            ),
            { open },
          );
        }
        await sleep(100);
      }
    },
    effects: (orderId: string) => effectsOf(orderId),
    totals: () => totalsOf(),
    /**
     * Every way the four databases can disagree with a finished saga, as readable lines (empty =
     * consistent): approved ⇒ stock committed, one hold, one confirmed notification; rejected ⇒
     * nothing reserved or held, one rejected notification; stock and money conserved.
     */
    violations: async (orderIds: string[]) => {
      const found: string[] = [];
      for (const id of orderIds) {
        const e = await effectsOf(id);
        const want =
          e.order === 'APPROVED'
            ? { reserved: 0, committed: e.committed > 0, holds: 1, notifications: 'confirmed' }
            : e.order === 'REJECTED'
              ? { reserved: 0, committed: false, holds: 0, notifications: 'rejected' }
              : undefined;
        if (!want) found.push(`${id}: order ${e.order ?? 'missing'}, not terminal`);
        else if (
          e.reserved !== want.reserved ||
          e.committed > 0 !== want.committed ||
          e.holds !== want.holds ||
          e.notifications.join() !== want.notifications
        ) {
          found.push(`${id}: ${e.order} but ${JSON.stringify(e)}`);
        }
      }
      const t = await totalsOf();
      if (t.stockMismatch) found.push(`${t.stockMismatch} products where on hand + reserved + committed ≠ seeded`);
      if (t.heldMismatch) found.push(`${t.heldMismatch} customers whose held amount ≠ their holds`);
      return found;
    },
    /**
     * Publishes an order's OrderCreated event a second time, as a redelivery would, and resolves
     * once every consumer of the run that read that partition before (the coordinator, the
     * services) has committed past it: it was handled — the positive marker a test waits for
     * before asserting that nothing happened.
     */
    redeliverOrderCreated: async (orderId: string) => {
      const events = await collect(kafka, [prefix + Topics.orderEvents]);
      const isIt = (m: Received) => m.key === orderId && (m.value ?? '').includes('"OrderCreated"');
      await waitFor('the OrderCreated event', () => events.messages.some(isIt));
      const producer = createProducer(kafka);
      await producer.connect();
      const [sent] = await producer.send({
        topic: prefix + Topics.orderEvents,
        messages: [{ key: orderId, value: events.messages.find(isIt)!.value }],
      });
      await producer.disconnect();
      await events.stop();
      await consumedPast(kafka, prefix, prefix + Topics.orderEvents, sent!.partition, Number(sent!.baseOffset));
    },
    /** Stops a service (its database and topics stay): the service is down. */
    stopService: async (name: Name) => services[name].stop(),
    /** Starts it again on the same database, topics and port. */
    restartService: async (name: Name) => {
      const port = Number(new URL(services[name].url).port);
      services[name] = await startTestService(
        specs[name] as ServiceSpec<CommandType>,
        kafka,
        prefix,
        { database: services[name].database, port },
        mode,
      );
    },
    /** The registry the choreography claims its sagas on, when it runs. */
    registryDatabase,
    close: async () => {
      for (const s of Object.values(services)) await s.close();
      if (registryDatabase) await dropDatabase(servers.POSTGRES_URL, registryDatabase);
    },
  };
};
export type Workbench = Awaited<ReturnType<typeof startWorkbench>>;
