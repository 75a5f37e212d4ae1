import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '@saga/config';
import { Topics } from '@saga/contracts';
import { dropDatabase } from '@saga/postgres';
import { command, createProducer, isolatedTopics, servers, testKafka, uniqueName, waitFor } from '@saga/testkit';
import { spawnProcess, type SpawnedCoordinator } from '@saga/testkit/process';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const kafka = testKafka('notification-delivery');
const ORDERS = 150;

/**
 * At-least-once delivery with an idempotency key the sink honours, proven with the real process:
 * the notification service, its sink 50 ms slow (as a provider is), killed -9 under load while
 * notifications are recorded but not yet handed over; started again on the same database and sink.
 * Every recorded notification is delivered exactly once.
 */
describe('notification delivery survives kill -9 of the notification service', () => {
  const database = uniqueName('t_notification_kill');
  const sink = join(mkdtempSync(join(tmpdir(), 'notify-kill-')), 'sink.jsonl');
  const producer = createProducer(kafka);
  let prefix: string;
  let db: pg.Pool;
  let current: SpawnedCoordinator | undefined;

  const spawn = async () =>
    (current = await spawnProcess(
      main,
      {
        NOTIFICATION_DATABASE: database,
        NOTIFICATION_SINK_FILE: sink,
        NOTIFICATION_SINK_LATENCY_MS: '50',
        KAFKA_TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      },
      'NOTIFICATION_PORT',
      { what: 'the notification service' },
    ));

  beforeAll(async () => {
    prefix = await isolatedTopics(kafka);
    await producer.connect();
    db = new pg.Pool({ connectionString: databaseUrl(servers.POSTGRES_URL, database) });
  });
  afterAll(async () => {
    await current?.kill();
    await producer.disconnect();
    await db.end();
    await dropDatabase(servers.POSTGRES_URL, database);
  });

  it('delivers every recorded notification exactly once', async () => {
    await spawn();
    const orders = Array.from({ length: ORDERS }, (_, i) => `kill-${i}-${randomUUID().slice(0, 8)}`);
    await producer.send({
      topic: prefix + Topics.orderEvents,
      messages: orders.map((orderId) => ({
        key: orderId,
        value: JSON.stringify({
          messageId: randomUUID(),
          sagaId: orderId,
          occurredAt: new Date().toISOString(),
          type: 'OrderApproved',
          payload: { orderId, customerId: 'c1' },
        }),
      })),
    });
    const count = async (where: string) =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${where}`)).rows[0]!.n);
    await waitFor('every verdict heard', async () => (await count('order_outcomes')) === ORDERS);

    // As a coordinator does: each command sent until it is answered, whatever the process does meanwhile.
    const answered = new Set<string>();
    const sendUntilAnswered = async (orderId: string) => {
      const cmd = command(
        'SendNotification',
        orderId,
        { orderId, customerId: 'c1', kind: 'confirmed' },
        `${orderId}:n`,
      );
      for (;;) {
        const { type, ...body } = cmd;
        const res = await fetch(`${current!.url}/commands/${type}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).catch(() => undefined);
        if (res?.status === 200) return void answered.add(orderId);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const load = Promise.all(orders.map(sendUntilAnswered));

    // Killed while notifications are committed but not handed over to the sink.
    await waitFor(
      'notifications recorded, not yet delivered',
      async () => (await count('notifications WHERE delivered_at IS NULL')) >= 5,
    );
    const undeliveredAtKill = await count('notifications WHERE delivered_at IS NULL');
    await current!.kill();
    await spawn();
    await load;
    await waitFor(
      'every notification delivered',
      async () => (await count('notifications WHERE delivered_at IS NULL')) === 0,
    );

    expect(undeliveredAtKill).toBeGreaterThanOrEqual(5);
    expect(answered.size).toBe(ORDERS);
    expect(await count('notifications')).toBe(ORDERS);
    const keys = readFileSync(sink, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { idempotencyKey: string }).idempotencyKey);
    expect(keys.length).toBe(ORDERS);
    expect(new Set(keys)).toEqual(new Set(orders.map((o) => `${o}:confirmed`)));
  });
});
