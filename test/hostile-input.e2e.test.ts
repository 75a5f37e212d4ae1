import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics } from '@saga/contracts';
import { loadOrchestratorConfig, startOrchestrator, type RunningOrchestrator } from '@saga/orchestrator-custom';
import { dropDatabase } from '@saga/postgres';
import { collect, createProducer, servers, testKafka, waitFor, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';

const NUL = '\u0000';
const LONE = '\uD800';

/**
 * Issue 13 §3: text PostgreSQL cannot store (NUL, lone surrogates) is refused at the edge — a 400
 * naming the field over HTTP, the dead-letter topic at once over Kafka — never a 5xx, never a
 * retried poison message, nothing written.
 */
describe('text that cannot be stored, at every edge', () => {
  const kafka = testKafka('hostile-e2e');
  let wb: Workbench;
  let orch: RunningOrchestrator;
  let env: Record<string, string>;
  beforeAll(async () => {
    wb = await workbench(kafka);
    env = orchestratorEnv(wb.env());
    orch = await startOrchestrator(loadOrchestratorConfig(env));
  });
  afterAll(async () => {
    await orch.stop();
    await wb.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_DATABASE!);
  });

  const problems = async (res: Response) => {
    expect(res.status, `${res.url}`).toBe(400);
    return ((await res.json()) as { details: { path: string }[] }).details.map((d) => d.path);
  };
  const postJson = (url: string, body: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const count = async (service: keyof Workbench['services'], table: string) =>
    Number(
      (await wb.services[service].ctx.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n,
    );

  it('POST /orders: 400 naming each field, nothing written', async () => {
    const before = await count('order', 'orders');
    const body = JSON.stringify({
      customerId: `c${NUL}`,
      lines: [{ sku: `s${LONE}`, quantity: 1, unitPriceCents: 1 }],
    });
    expect(await problems(await postJson(`${wb.services.order.url}/orders`, body))).toEqual([
      'customerId',
      'lines.0.sku',
    ]);
    // The same as a raw \u escape in the JSON text.
    expect(
      await problems(await postJson(`${wb.services.order.url}/orders`, '{"customerId":"\\ud800","lines":[]}')),
    ).toContain('customerId');
    expect(await count('order', 'orders')).toBe(before);
  });

  it('POST /commands/<Type>: 400 for ids and fields, the handler never runs', async () => {
    const cmd = {
      messageId: `m${NUL}`,
      sagaId: 's1',
      occurredAt: new Date().toISOString(),
      payload: { orderId: `o${LONE}`, lines: [{ sku: 'a', quantity: 1 }] },
    };
    expect(
      await problems(await postJson(`${wb.services.inventory.url}/commands/ReserveStock`, JSON.stringify(cmd))),
    ).toEqual(['messageId', 'payload.orderId']);
    expect(await count('inventory', 'inbox')).toBe(0);
  });

  it('path and query parameters on every service and the coordinator: 400, not 500', async () => {
    for (const url of [
      `${wb.services.order.url}/orders/%00`,
      `${wb.services.inventory.url}/products/%00`,
      `${wb.services.payment.url}/customers/%00`,
      `${wb.services.notification.url}/notifications/%00`,
      `${orch.url}/sagas/%00`,
      `${wb.services.order.url}/orders/%ED%A0%80`,
    ]) {
      expect(await problems(await fetch(url))).toEqual(['path']);
    }
    expect(await problems(await fetch(`${wb.services.order.url}/orders?status=%00`))).toEqual(['query.status']);
    expect(await problems(await fetch(`${orch.url}/sagas?status=a%00`))).toEqual(['query.status']);
  });

  it('over Kafka: straight to the dead-letter topic with the reason, one delivery, nothing handled', async () => {
    const dlq = await collect(kafka, [`${wb.prefix}${Topics.inventoryCommands}.dlq`]);
    const producer = createProducer(kafka);
    await producer.connect();
    const cmd = {
      messageId: 'poison-1',
      sagaId: 's1',
      occurredAt: new Date().toISOString(),
      type: 'ReserveStock',
      payload: { orderId: `o${NUL}`, lines: [{ sku: 'a', quantity: 1 }] },
    };
    await producer.send({
      topic: wb.prefix + Topics.inventoryCommands,
      messages: [{ key: 's1', value: JSON.stringify(cmd) }],
    });
    await waitFor('the dead letter', () => dlq.messages.length > 0);
    expect(dlq.messages).toHaveLength(1);
    expect(dlq.messages[0]!.headers['x-dlq-reason']).toMatch(/^unstorable text: payload\.orderId: contains a NUL/);
    expect(await count('inventory', 'inbox')).toBe(0);
    await producer.disconnect();
    await dlq.stop();
  });
});
