import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topics } from '@saga/contracts';
import { dropDatabase } from '@saga/postgres';
import { sagaTimeline, servers, testKafka, uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv, workbench } from '@saga/testkit/all-services';
import { loadRestateConfig, RESTATE_GROUPS } from './config.ts';
import { startRestateCoordinator } from './coordinator.ts';

// Over Kafka a reply reaches its saga in one of two ways (RESTATE_REPLIES, ADR 0020): it completes
// the step's awakeable at the ingress (its id is the command id), or the `reply` handler resolves
// the step's durable promise. Either way a reply later than its attempt's timer is still the
// step's answer, and the second reply (to the retried attempt) changes nothing.
describe.each(['awakeable', 'promise'] as const)('Restate over Kafka, replies by %s', (replies) => {
  const kafka = testKafka(`restate-replies-${replies}`);
  let wb: Workbench;
  let env: Record<string, string>;
  let coordinator: Awaited<ReturnType<typeof startRestateCoordinator>>;

  beforeAll(async () => {
    wb = await workbench(kafka);
    env = orchestratorEnv(wb.env(), {
      TRANSPORT: 'kafka',
      RESTATE_REPLIES: replies,
      RESTATE_WORKFLOW: uniqueName('orderSaga').replace(/-/g, '_'),
      SAGA_STEP_TIMEOUT_MS: '1000',
      SAGA_STEP_ATTEMPTS: '4',
      SAGA_DEADLINE_MS: '20000',
    });
    coordinator = await startRestateCoordinator(loadRestateConfig(env));
    await wb.seedStock([{ sku: 'widget', quantity: 100 }]);
    await wb.seedCustomers([{ id: 'alice', creditLimitCents: 1_000_000 }]);
  });
  afterAll(async () => {
    await coordinator?.stop();
    await wb?.close();
    await dropDatabase(servers.POSTGRES_URL, env.ORCHESTRATOR_RESTATE_DATABASE!);
  });

  /** Replies on the topic that the coordinator's reply consumer has not committed yet. */
  const repliesLag = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = `${env.KAFKA_TOPIC_PREFIX}${Topics.sagaReplies}`;
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: `${env.KAFKA_TOPIC_PREFIX}${RESTATE_GROUPS.replies}`, topics: [topic] }),
      ]);
      const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends.reduce((lag, e) => lag + Number(e.high) - Math.max(0, at.get(e.partition) ?? 0), 0);
    } finally {
      await admin.disconnect();
    }
  };

  it('a reply later than the attempt’s timer answers the step; the retried attempt’s reply changes nothing', async () => {
    // Payment answers each command 1.5 s late: the first attempt times out (1 s), the retry is sent,
    // then the first reply arrives and answers the step; the retry's reply comes after it.
    await wb.faults('payment', { latencyMs: 1_500 });
    let id: string;
    try {
      id = await wb.placeOrder('alice', [{ sku: 'widget', quantity: 1, unitPriceCents: 100 }]);
      await expect
        .poll(async () => (await sagaTimeline(coordinator.url, id))?.status, { timeout: 30_000 })
        .toBe('COMPLETED');
    } finally {
      await wb.faults('payment', { latencyMs: 0 });
    }
    const t = (await sagaTimeline(coordinator.url, id))!;
    const pay = t.history.filter((h) => h.step === 'authorizePayment');
    expect(pay.map((h) => h.kind)).toEqual(expect.arrayContaining(['requested', 'attempt-failed', 'succeeded']));
    expect(pay.filter((h) => h.kind === 'requested').length).toBeGreaterThanOrEqual(2);
    const commandIds = new Set(pay.map((h) => h.commandId));
    expect(commandIds.size).toBe(1); // every attempt of a step is one command
    const [commandId] = [...commandIds];
    if (replies === 'awakeable') expect(commandId).toMatch(/^sign_/);
    else expect(commandId).toBe(`${id}:authorizePayment`);
    // The retry's reply arrives after the saga went on: the consumer takes it (its group catches up
    // with every reply on the topic) instead of retrying it forever.
    await expect.poll(repliesLag, { timeout: 15_000, interval: 500 }).toBe(0);
    expect(await wb.violations([id])).toEqual([]);
    expect(await wb.effects(id)).toMatchObject({ order: 'APPROVED', holds: 1, notifications: ['confirmed'] });
  });
});
