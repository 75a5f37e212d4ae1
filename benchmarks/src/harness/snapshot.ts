import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
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
  sagaTables?: { database: string; table: string }[];
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
    for (const { database, table } of src.sagaTables ?? []) {
      const open = `SELECT id FROM ${table} WHERE status NOT IN ('COMPLETED', 'REJECTED', 'RESOLVED') AND deadline_at < now()`;
      sagasPastDeadline.push(...(await rows<{ id: string }>(database, open)).map((r) => r.id));
    }
    if (src.choreography) {
      const open = `SELECT id FROM saga_view WHERE status NOT IN ('COMPLETED', 'REJECTED', 'RESOLVED') AND created_at < now() - interval '${Math.round(src.choreography.deadlineMs)} milliseconds'`;
      sagasPastDeadline.push(...(await rows<{ id: string }>(db.order, open)).map((r) => r.id));
    }
    if (src.temporal) {
      const since = new Date(Date.now() - src.temporal.deadlineMs).toISOString();
      for (const { queue, client } of src.temporal.taskQueues) {
        for await (const w of client.workflow.list({
          query: `TaskQueue = '${queue}' AND ExecutionStatus = 'Running' AND StartTime < '${since}'`,
        }))
          sagasPastDeadline.push(w.workflowId);
      }
    }
    const admin = src.kafka.admin();
    await admin.connect();
    const deadLetters: Record<string, number> = {};
    try {
      const existing = new Set(await admin.listTopics());
      for (const topic of src.deadLetterTopics.filter((t) => existing.has(t))) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const n = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        deadLetters[topic] = n > 0 ? await distinctSources(src.kafka, topic, n) : 0;
      }
    } finally {
      await admin.disconnect();
    }
    return { orders, reservations, products, holds, customers, notifications, sagasPastDeadline, deadLetters };
  } finally {
    await Promise.all([...pools.values()].map((p) => p.end()));
  }
};
