import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@saga/postgres';
import {
  collect,
  createProducer,
  createTestTopic,
  scratchDatabase,
  servers,
  testKafka,
  waitFor,
  type Received,
  type ScratchDb,
} from '@saga/testkit';
import { appendToOutbox, outboxMigrations } from './outbox.ts';
import { startRelay } from './relay.ts';

const kafka = testKafka('relay-test');
let db: ScratchDb;
let producer: Producer;

beforeAll(async () => {
  db = await scratchDatabase('relay', [outboxMigrations]);
  producer = createProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await db.drop();
});

const append = (topic: string, key: string, seq: number) =>
  withTransaction(db.pool, (tx) =>
    appendToOutbox(tx, [{ topic, key, messageId: `${key}:${seq}`, payload: { key, seq } }]),
  );

/** The first delivery of each message id, in arrival order; and how many arrived twice. */
const firstDeliveries = (received: Received[]) => {
  const seen = new Set<string>();
  const firsts: { key: string; seq: number }[] = [];
  for (const m of received) {
    const id = m.headers['message-id']!;
    if (seen.has(id)) continue;
    seen.add(id);
    firsts.push(JSON.parse(m.value!) as { key: string; seq: number });
  }
  return { firsts, duplicates: received.length - firsts.length };
};

const expectInOrderPerKey = (firsts: { key: string; seq: number }[]) => {
  const last = new Map<string, number>();
  for (const { key, seq } of firsts) {
    expect(seq, `key ${key}: ${seq} arrived after ${last.get(key)}`).toBeGreaterThan(last.get(key) ?? -1);
    last.set(key, seq);
  }
};

const outboxRows = async () =>
  Number((await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n);

describe('outbox relay', () => {
  it('publishes exactly the committed messages of 1,000 concurrent transactions, in order per key, with two relays running', async () => {
    const topic = await createTestTopic(kafka, 'outbox');
    const sink = await collect(kafka, [topic]);
    const relays = [startRelay({ databaseUrl: db.url, producer }), startRelay({ databaseUrl: db.url, producer })];
    const keys = Array.from({ length: 20 }, (_, i) => `saga-${i}`);
    const committed = new Set<string>();
    // 20 keys written at once, each key's 50 transactions one after another; every 7th rolls back.
    await Promise.all(
      keys.map(async (key) => {
        for (let seq = 0; seq < 50; seq++) {
          const rollBack = (seq + key.length) % 7 === 3;
          await withTransaction(db.pool, async (tx) => {
            await appendToOutbox(tx, [{ topic, key, messageId: `${key}:${seq}`, payload: { key, seq } }]);
            if (rollBack) throw new Error('planned rollback');
          }).catch((err: Error) => {
            if (err.message !== 'planned rollback') throw err;
          });
          if (!rollBack) committed.add(`${key}:${seq}`);
        }
      }),
    );
    expect(committed.size).toBeGreaterThan(800);
    expect(committed.size).toBeLessThan(1000);

    await waitFor('every committed message', () => sink.messages.length >= committed.size);
    // A sentinel per key, written last: anything extra of a key (a duplicate) arrives before its sentinel.
    const SENTINEL = 1_000;
    for (const key of keys)
      await withTransaction(db.pool, (tx) =>
        appendToOutbox(tx, [{ topic, key, messageId: `${key}:sentinel`, payload: { key, seq: SENTINEL } }]),
      );
    const sentinels = () => sink.messages.filter((m) => (JSON.parse(m.value!) as { seq: number }).seq === SENTINEL);
    await waitFor('every sentinel', () => new Set(sentinels().map((m) => m.key)).size === keys.length);
    const { firsts: all, duplicates } = firstDeliveries(sink.messages);
    const firsts = all.filter((m) => m.seq !== SENTINEL);
    expect(duplicates).toBe(0);
    expect(new Set(firsts.map((m) => `${m.key}:${m.seq}`))).toEqual(committed);
    expectInOrderPerKey(firsts);
    expect(relays.filter((r) => r.active)).toHaveLength(1);
    expect(await outboxRows()).toBe(0);

    await Promise.all(relays.map((r) => r.stop()));
    await sink.stop();
  });

  it('loses nothing and keeps key order when the relay process is killed -9 mid-way and restarted', async () => {
    const topic = await createTestTopic(kafka, 'outbox-kill');
    const sink = await collect(kafka, [topic]);
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (let seq = 0; seq < 100; seq++) await Promise.all(keys.map((k) => append(topic, k, seq)));

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./relay-main.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          OUTBOX_DATABASE_URL: db.url,
          KAFKA_BROKERS: servers.KAFKA_BROKERS.join(','),
          RELAY_BATCH_SIZE: '10',
          LOG_LEVEL: 'warn',
        },
        stdio: 'inherit',
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the relay process to publish 200 messages', () => sink.messages.length >= 200, 60_000);
    child.kill('SIGKILL');
    await exited;
    const atKill = sink.messages.length;
    expect(atKill).toBeLessThan(1000);
    expect(await outboxRows()).toBeGreaterThan(0);

    const relay = startRelay({ databaseUrl: db.url, producer });
    await waitFor('all 1,000 messages', () => firstDeliveries(sink.messages).firsts.length === 1000, 60_000);
    const { firsts, duplicates } = firstDeliveries(sink.messages);
    expectInOrderPerKey(firsts);
    // At-least-once: only the batch in flight at the kill may come twice.
    expect(duplicates).toBeLessThanOrEqual(10);
    await waitFor('an empty outbox', async () => (await outboxRows()) === 0);
    await relay.stop();
    await sink.stop();
  });

  it('is woken by the NOTIFY a writer in another process sends after its commit, rather than waiting for its poll', async () => {
    const topic = await createTestTopic(kafka, 'outbox-notify', 1);
    const sink = await collect(kafka, [topic]);
    // Not given db.pool: to this relay the test's writers are another process's.
    const relay = startRelay({ databaseUrl: db.url, producer, pollIntervalMs: 60_000 });
    await waitFor('the relay to take the lock', () => relay.active);
    const t0 = Date.now();
    await append(topic, 'n', 1);
    await waitFor('the message', () => sink.messages.length === 1, 5_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    await relay.stop();
    await sink.stop();
  });

  it("is woken directly by its own process's writers: their transactions send no NOTIFY (which would queue every notifying commit of the cluster on one lock)", async () => {
    const topic = await createTestTopic(kafka, 'outbox-local', 1);
    const sink = await collect(kafka, [topic]);
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    let notified = 0;
    listener.on('notification', () => notified++);
    await listener.query('LISTEN outbox');
    const relay = startRelay({ databaseUrl: db.url, producer, pool: db.pool, pollIntervalMs: 60_000 });
    await waitFor('the relay to take the lock', () => relay.active);
    const t0 = Date.now();
    for (let i = 1; i <= 3; i++) await append(topic, 'l', i);
    await waitFor('the messages', () => sink.messages.length === 3, 5_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    await listener.query('SELECT 1'); // a notification sent before this would have arrived by now
    expect(notified).toBe(0);
    await relay.stop();
    await listener.end();
    await sink.stop();
  });

  it('a writer whose own relay is standby wakes the publishing one by NOTIFY', async () => {
    const topic = await createTestTopic(kafka, 'outbox-standby', 1);
    const sink = await collect(kafka, [topic]);
    const publishing = startRelay({ databaseUrl: db.url, producer, pollIntervalMs: 60_000 });
    await waitFor('the first relay to take the lock', () => publishing.active);
    const standby = startRelay({ databaseUrl: db.url, producer, pool: db.pool });
    const t0 = Date.now();
    await append(topic, 's', 1);
    await waitFor('the message', () => sink.messages.length === 1, 5_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(standby.active).toBe(false);
    await Promise.all([publishing.stop(), standby.stop()]);
    await sink.stop();
  });
});
