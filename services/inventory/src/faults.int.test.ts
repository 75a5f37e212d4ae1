import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Reply, Topics, type ReserveStock } from '@saga/contracts';
import { dropDatabase } from '@saga/postgres';
import {
  collect,
  command,
  createProducer,
  isolatedTopics,
  postCommand,
  servers,
  startTestService,
  testKafka,
  uniqueName,
  waitFor,
  TEST_ADMIN_TOKEN,
  type TestService,
} from '@saga/testkit';
import { inventoryService } from './service.ts';

// Fault injection is the services' shared runtime; the inventory service stands in for all four.
const kafka = testKafka('faults');
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const setFaults = (url: string, body: object) =>
  fetch(`${url}/admin/faults`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
const seed = (url: string, sku: string, quantity: number) =>
  fetch(`${url}/admin/stock`, { method: 'POST', headers: auth, body: JSON.stringify([{ sku, quantity }]) });
const reserve = (saga: string, sku: string) =>
  command<ReserveStock>('ReserveStock', saga, { orderId: saga, lines: [{ sku, quantity: 1 }] });
const reservationsOf = async (svc: TestService, sku: string) =>
  Number(
    (await svc.ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations WHERE sku = $1', [sku]))
      .rows[0]!.n,
  );

describe('fault injection', () => {
  let svc: TestService;
  let producer: Producer;
  beforeAll(async () => {
    svc = await startTestService(inventoryService, kafka);
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await svc.close();
  });

  it('refuses the admin endpoint without the right token', async () => {
    expect((await fetch(`${svc.url}/admin/faults`)).status).toBe(401);
    expect((await fetch(`${svc.url}/admin/faults`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const noToken = await fetch(`${svc.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"crash":true}',
    });
    expect(noToken.status).toBe(401);
    expect(
      ((await (await fetch(`${svc.url}/admin/faults`, { headers: auth })).json()) as { crash: boolean }).crash,
    ).toBe(false);
  });

  it('refuses invalid fault settings with 400', async () => {
    const res = await setFaults(svc.url, { failureRate: 2, latencyMs: -1 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { details: { path: string }[] }).details.map((d) => d.path).sort()).toEqual([
      'failureRate',
      'latencyMs',
    ]);
  });

  it('delays commands by the injected latency', async () => {
    await seed(svc.url, 'slow', 10);
    await setFaults(svc.url, { latencyMs: 300 });
    const t0 = Date.now();
    expect((await postCommand(svc.url, reserve('slow-1', 'slow'))).body.payload.outcome).toBe('SUCCESS');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await setFaults(svc.url, { latencyMs: 0 });
  });

  it('answers 503 over HTTP while every command fails transiently, and acts on the retry', async () => {
    await seed(svc.url, 'flaky-http', 10);
    await setFaults(svc.url, { failureRate: 1 });
    const cmd = reserve('fh-1', 'flaky-http');
    const refused = await postCommand(svc.url, cmd);
    expect(refused.status).toBe(503);
    expect(await reservationsOf(svc, 'flaky-http')).toBe(0);
    await setFaults(svc.url, { failureRate: 0 });
    expect((await postCommand(svc.url, cmd)).body.payload.outcome).toBe('SUCCESS');
    expect(await reservationsOf(svc, 'flaky-http')).toBe(1);
  });

  it('redelivers Kafka commands refused at a 50 % failure rate until each acts, exactly once', async () => {
    await seed(svc.url, 'flaky', 100);
    const replies = await collect(kafka, [svc.prefix + Topics.sagaReplies]);
    await setFaults(svc.url, { failureRate: 0.5 });
    const refusedBefore = (
      (await (await fetch(`${svc.url}/admin/faults`, { headers: auth })).json()) as { refusedSoFar: number }
    ).refusedSoFar;
    const cmds = Array.from({ length: 20 }, (_, i) => reserve(`flaky-${i}`, 'flaky'));
    await producer.send({
      topic: svc.prefix + Topics.inventoryCommands,
      messages: cmds.map((c) => ({ key: c.sagaId, value: JSON.stringify(c) })),
    });
    const ids = new Set(cmds.map((c) => c.messageId));
    const answered = () =>
      new Set(
        replies.messages.map((m) => Reply.parse(JSON.parse(m.value!)).payload.commandId).filter((id) => ids.has(id)),
      );
    await waitFor('every command to be answered', () => answered().size === 20, 60_000);
    const refusedAfter = (
      (await (await fetch(`${svc.url}/admin/faults`, { headers: auth })).json()) as { refusedSoFar: number }
    ).refusedSoFar;
    expect(refusedAfter - refusedBefore).toBeGreaterThan(0);
    expect(await reservationsOf(svc, 'flaky')).toBe(20);
    await setFaults(svc.url, { failureRate: 0 });
    await replies.stop();
  });
});

describe('crash switch', () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
  const database = uniqueName('t_inventory_crash');
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await dropDatabase(servers.POSTGRES_URL, database);
  });

  it('kills the service process on the next command; after a restart the command acts once', async () => {
    const prefix = await isolatedTopics(kafka);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () => {
      const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))], {
        env: {
          ...process.env,
          INVENTORY_PORT: String(port),
          INVENTORY_DATABASE: database,
          KAFKA_TOPIC_PREFIX: prefix,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          LOG_LEVEL: 'warn',
        },
        stdio: 'inherit',
      });
      child = p;
      return { exited: new Promise<NodeJS.Signals | null>((r) => p.once('exit', (_code, signal) => r(signal))) };
    };
    const up = async () =>
      waitFor('the service', async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 60_000);

    const first = start();
    await up();
    await seed(url, 'boom', 5);
    expect((await setFaults(url, { crash: true })).status).toBe(200);
    const cmd = reserve('crash-1', 'boom');
    await expect(postCommand(url, cmd)).rejects.toThrow();
    expect(await first.exited).toBe('SIGKILL');

    start();
    await up();
    const afterRestart = await postCommand(url, cmd);
    expect(afterRestart.body.payload.outcome).toBe('SUCCESS');
    expect((await postCommand(url, cmd)).body).toEqual(afterRestart.body);
    const stock = (await (await fetch(`${url}/products/boom`)).json()) as { onHand: number; reserved: number };
    expect(stock).toMatchObject({ onHand: 4, reserved: 1 });
  });
});
