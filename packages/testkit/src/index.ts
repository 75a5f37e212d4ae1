/**
 * Helpers for integration tests against the real servers of the local stack (never mocks):
 * a scratch database per test file, uniquely named topics, and a collecting consumer.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { databaseUrl, loadServerConfig } from '@saga/config';
import { createKafka, createProducer, ensureTopics } from '@saga/kafka';
import { createPool, dropDatabase, ensureDatabase, migrate, type MigrationSet, type Pool } from '@saga/postgres';

export const servers = loadServerConfig();

export const uniqueName = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

export interface ScratchDb {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A new, empty database with the given migrations applied; `drop()` removes it. */
export const scratchDatabase = async (prefix: string, migrations: MigrationSet[] = []): Promise<ScratchDb> => {
  const name = uniqueName(`t_${prefix}`);
  await ensureDatabase(servers.POSTGRES_URL, name);
  const url = databaseUrl(servers.POSTGRES_URL, name);
  await migrate(url, migrations);
  const pool = createPool(url, { max: 20 });
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(servers.POSTGRES_URL, name);
    },
  };
};

export const testKafka = (clientId = 'test'): Kafka => createKafka({ brokers: servers.KAFKA_BROKERS, clientId });

/** Creates uniquely named topics (and their dead-letter topics) and returns their names. */
export const createTestTopic = async (kafka: Kafka, prefix: string, partitions = 4): Promise<string> => {
  const topic = uniqueName(`t.${prefix}`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic, partitions },
    { topic: `${topic}.dlq`, partitions: 1 },
  ]);
  await admin.disconnect();
  return topic;
};

export interface Received {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Consumes `topics` from the beginning into `messages` until `stop()`. */
export const collect = async (kafka: Kafka, topics: string[]) => {
  const messages: Received[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      messages.push({
        topic,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])),
      });
    },
  });
  await joined;
  return { messages, stop: () => consumer.disconnect() };
};

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
};

export { createProducer };
export * from './service.ts';
export * from './contract.ts';
export * from './workbench.ts';
export * from './timeline.ts';

/** A TCP port on loopback that was free a moment ago. */
export const freePort = async (): Promise<number> => {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
};
