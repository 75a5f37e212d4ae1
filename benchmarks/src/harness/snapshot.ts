import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { driverOf } from '@saga/launcher';
import { SagaStatusKey } from '@saga/orchestrator-temporal';
import { servers } from '@saga/testkit';
import type { Client } from '@temporalio/client';
import { databaseUrl } from '@saga/config';
import { createPool, type Pool } from '@saga/postgres';
import type { Snapshot } from './checker.ts';

export interface SnapshotSources {
  postgresUrl: string;
  databases: {
    order: string;
    inventory: string;
    payment: string;
    notification: string;
  };
  /** The sagas' tables of the coordinators that ran and keep one (their drivers' `store`), each in its database. */
  sagaTables?: { database: string; table: string; coordinator: string }[];
  /** Databases whose `outbox` table must be empty once a suite has drained (those without one are skipped). */
  outboxDatabases?: string[];
  /** The run's consumer groups (by name prefix): each one with members now must have read its topics to the end. */
  consumerGroupPrefix?: string;
  /** Orders seen with both verdicts on `order.events` (the harness's observer reads every one). */
  bothVerdicts?: string[];
  kafka: Kafka;
  /** The run's dead-letter topics. */
  deadLetterTopics: string[];
  /** Temporal: the task queues the run's workflows ran on (each with its server's client), and the saga deadline. */
  temporal?: { taskQueues: { queue: string; client: Client }[]; deadlineMs: number };
  /** Choreography ran (ADR 0018): its sagas' view in the order database, and their deadline. */
  choreography?: { deadlineMs: number };
}

/**
 * Dead letters of `topic` counted by the message they came from (`x-dlq-source`): a consumer whose
 * offset commit was lost (a broker restart) dead-letters the same message again on redelivery —
 * at least once, as everything else on Kafka.
 */
const distinctSources = async (kafka: Kafka, topic: string, total: number): Promise<number> => {
  const consumer = kafka.consumer({ groupId: `checker-${randomUUID()}`, maxWaitTimeInMs: 50 });
  const sources = new Set<string>();
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          sources.add(message.headers?.['x-dlq-source']?.toString() ?? `offset ${message.offset}`);
          if (++seen >= total) resolve();
        },
      });
    });
    await Promise.race([done, new Promise((r) => setTimeout(r, 20_000))]);
    return seen >= total ? sources.size : total;
  } finally {
    await consumer.disconnect();
  }
};

/** The groups named `prefix…` that have members now (a stopped coordinator's group lags by design and is left out). */
export const runningGroups = async (admin: Admin, prefix: string): Promise<string[]> => {
  const names = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
  if (names.length === 0) return [];
  const { groups } = await admin.describeGroups(names);
  return groups.filter((g) => g.members.length > 0).map((g) => g.groupId);
};

/** A benchmark run's world, as the checker reads it: the service databases, the coordinators that ran, its topics. */
export const runSources = (w: {
  run: string;
  serviceDbs: {
    ORDER_DATABASE: string;
    INVENTORY_DATABASE: string;
    PAYMENT_DATABASE: string;
    NOTIFICATION_DATABASE: string;
  };
  /** Every database of the run, by its setting's name. */
  dbs: Record<string, string>;
  /** The coordinators whose modes ran. */
  ran: Set<string>;
  kafka: Kafka;
  specs: { topic: string }[];
  taskQueues: Map<string, Client>;
  bothVerdicts: Set<string>;
  deadlineMs: number;
}): SnapshotSources => {
  const services = [
    w.serviceDbs.ORDER_DATABASE,
    w.serviceDbs.INVENTORY_DATABASE,
    w.serviceDbs.PAYMENT_DATABASE,
    w.serviceDbs.NOTIFICATION_DATABASE,
  ];
  const stores = [...w.ran].flatMap((name) => {
    const store = driverOf(name).store;
    return store ? [{ name, database: w.dbs[store.database]!, sagas: store.sagas }] : [];
  });
  return {
    postgresUrl: servers.POSTGRES_URL,
    databases: {
      order: w.serviceDbs.ORDER_DATABASE,
      inventory: w.serviceDbs.INVENTORY_DATABASE,
      payment: w.serviceDbs.PAYMENT_DATABASE,
      notification: w.serviceDbs.NOTIFICATION_DATABASE,
    },
    // The coordinators that ran and list their sagas in a table of their own.
    sagaTables: stores.flatMap((s) => (s.sagas ? [{ database: s.database, table: s.sagas, coordinator: s.name }] : [])),
    outboxDatabases: [...services, ...stores.map((s) => s.database)],
    consumerGroupPrefix: w.run,
    bothVerdicts: [...w.bothVerdicts],
    kafka: w.kafka,
    deadLetterTopics: w.specs.map((s) => s.topic).filter((t) => t.endsWith('.dlq')),
    temporal: {
      taskQueues: [...w.taskQueues].map(([queue, client]) => ({ queue, client })),
      deadlineMs: w.deadlineMs,
    },
    ...(w.ran.has('choreography') ? { choreography: { deadlineMs: w.deadlineMs } } : {}),
  };
};

/** What `group` has not consumed of the topics it reads: each partition's end minus its committed offset (none committed: all of it). */
export const lagOf = async (admin: Admin, group: string): Promise<number> => {
  let lag = 0;
  const committed = await admin.fetchOffsets({ groupId: group });
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const at = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Number(end.high) - (at >= 0 ? at : Number(end.low));
    }
  }
  return lag;
};

/** Reads what the checker needs from the real databases, the broker and Temporal. */
export const takeSnapshot = async (src: SnapshotSources): Promise<Snapshot> => {
  const { postgresUrl: url, databases: db } = src;
  // One connection per database for the whole snapshot (the checker takes one a second while it settles).
  const pools = new Map<string, Pool>();
  const rows = async <T>(name: string, sql: string): Promise<T[]> => {
    if (!pools.has(name)) pools.set(name, createPool(databaseUrl(url, name), { max: 1 }));
    return (await pools.get(name)!.query(sql)).rows as T[];
  };
  try {
    const [orders, reservations, products, holds, customers, notifications] = await Promise.all([
      rows<Snapshot['orders'][number]>(
        db.order,
        `SELECT id, status, total_cents::float8 AS "totalCents", lines FROM orders`,
      ),
      rows<Snapshot['reservations'][number]>(
        db.inventory,
        `SELECT order_id AS "orderId", sku, quantity, status FROM reservations`,
      ),
      rows<Snapshot['products'][number]>(
        db.inventory,
        `SELECT sku, on_hand AS "onHand", reserved, committed, seeded FROM products`,
      ),
      rows<Snapshot['holds'][number]>(
        db.payment,
        `SELECT order_id AS "orderId", customer_id AS "customerId", amount_cents::float8 AS "amountCents", status FROM holds`,
      ),
      rows<Snapshot['customers'][number]>(db.payment, `SELECT id, held_cents::float8 AS "heldCents" FROM customers`),
      rows<Snapshot['notifications'][number]>(db.notification, `SELECT order_id AS "orderId", kind FROM notifications`),
    ]);
    const sagasPastDeadline: string[] = [];
    const sagas: Snapshot['sagas'] = [];
    for (const { database, table, coordinator } of src.sagaTables ?? []) {
      const open = `SELECT id FROM ${table} WHERE status NOT IN ('COMPLETED', 'REJECTED', 'RESOLVED') AND deadline_at < now()`;
      sagasPastDeadline.push(...(await rows<{ id: string }>(database, open)).map((r) => r.id));
      for (const r of await rows<{ id: string; status: string }>(database, `SELECT id, status FROM ${table}`))
        sagas.push({ ...r, coordinator });
    }
    if (src.choreography) {
      const open = `SELECT id FROM saga_view WHERE status NOT IN ('COMPLETED', 'REJECTED', 'RESOLVED') AND created_at < now() - interval '${Math.round(src.choreography.deadlineMs)} milliseconds'`;
      sagasPastDeadline.push(...(await rows<{ id: string }>(db.order, open)).map((r) => r.id));
      for (const r of await rows<{ id: string; status: string }>(db.order, 'SELECT id, status FROM saga_view'))
        sagas.push({ ...r, coordinator: 'choreography' });
    }
    if (src.temporal) {
      const since = new Date(Date.now() - src.temporal.deadlineMs).toISOString();
      for (const { queue, client } of src.temporal.taskQueues) {
        for await (const w of client.workflow.list({ query: `TaskQueue = '${queue}'` })) {
          if (w.status.name === 'RUNNING' && w.startTime.toISOString() < since) sagasPastDeadline.push(w.workflowId);
          const status = w.typedSearchAttributes.get(SagaStatusKey);
          if (typeof status === 'string') sagas.push({ id: w.workflowId, status, coordinator: 'temporal' });
        }
      }
    }
    const outboxes: Record<string, number> = {};
    for (const name of src.outboxDatabases ?? []) {
      const [has] = await rows<{ t: string | null }>(name, `SELECT to_regclass('outbox')::text AS t`);
      if (has?.t) outboxes[name] = (await rows<{ n: number }>(name, 'SELECT count(*)::int AS n FROM outbox'))[0]!.n;
    }
    const admin = src.kafka.admin();
    await admin.connect();
    const deadLetters: Record<string, number> = {};
    const consumerLag: Record<string, number> = {};
    try {
      if (src.consumerGroupPrefix !== undefined)
        for (const group of await runningGroups(admin, src.consumerGroupPrefix))
          consumerLag[group] = await lagOf(admin, group);
      const existing = new Set(await admin.listTopics());
      for (const topic of src.deadLetterTopics.filter((t) => existing.has(t))) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const n = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        deadLetters[topic] = n > 0 ? await distinctSources(src.kafka, topic, n) : 0;
      }
    } finally {
      await admin.disconnect();
    }
    return {
      orders,
      reservations,
      products,
      holds,
      customers,
      notifications,
      sagasPastDeadline,
      deadLetters,
      sagas,
      outboxes,
      consumerLag,
      bothVerdicts: src.bothVerdicts ?? [],
    };
  } finally {
    await Promise.all([...pools.values()].map((p) => p.end()));
  }
};
