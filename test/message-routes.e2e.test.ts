import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTopic, type CommandType, type HistoryLine, type SagaTimeline } from '@saga/contracts';
import { dropDatabase } from '@saga/postgres';
import { sagaTimeline, servers, testKafka, uniqueName, type Workbench } from '@saga/testkit';
import { workbench } from '@saga/testkit/all-services';
import { COORDINATORS, TIMING, type Coordinator } from './coordinators.ts';

const COMMAND_OF: Record<string, CommandType> = {
  reserveStock: 'ReserveStock',
  authorizePayment: 'AuthorizePayment',
  releaseStock: 'ReleaseStock',
  rejectOrder: 'RejectOrder',
  notifyRejected: 'SendNotification',
};
/**
 * Coordinators that record where the broker put a command (its partition and offset): those whose
 * send is a recorded step (DBOS, Restate). The custom orchestrator's relay sends from the outbox
 * after the saga's write; Temporal's activity completes later, with the reply.
 */
const RECORDS_COMMAND_OFFSETS = new Set(['dbos', 'restate']);

/** The message ids of the Kafka records at these places, read back from the broker with a fresh group. */
const messageIdsAt = async (kafka: Kafka, places: { topic: string; partition: number; offset: string }[]) => {
  const key = (p: { topic: string; partition: number; offset: string }) => `${p.topic}/${p.partition}/${p.offset}`;
  const found = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: uniqueName('routes-peek'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(places.map((p) => p.topic))] });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const k = key({ topic, partition, offset: message.offset });
        if (places.some((p) => key(p) === k))
          found.set(k, (JSON.parse(message.value!.toString()) as { messageId: string }).messageId);
      },
    });
    // One seek per partition, to the first place wanted there; the others follow on the same partition.
    const first = new Map<string, { topic: string; partition: number; offset: string }>();
    for (const p of places) {
      const k = `${p.topic}/${p.partition}`;
      const f = first.get(k);
      if (!f || BigInt(p.offset) < BigInt(f.offset)) first.set(k, p);
    }
    for (const p of first.values()) consumer.seek(p);
    await expect.poll(() => found.size, { timeout: 20_000, interval: 100 }).toBe(new Set(places.map(key)).size);
  } finally {
    await consumer.disconnect();
  }
  return (p: { topic: string; partition: number; offset: string }) => found.get(key(p));
};

/**
 * Where each command and reply travelled (issue 17), over Kafka on every coordinator: a declined
 * order's timeline names each command's topic (through the outbox for the custom orchestrator),
 * and the partition and offset of each reply or event, and of the commands where the coordinator
 * knows them — read back from the broker, the record there carries the entry's message id.
 */
describe.each(Object.keys(COORDINATORS))('where messages travelled, over Kafka: %s', (name) => {
  const kafka = testKafka(`routes-${name}`);
  const spec = COORDINATORS[name]!;
  let wb: Workbench;
  let coordinator: Coordinator & { databases: string[] };

  beforeAll(async () => {
    wb = await workbench(kafka, spec.choreography ? { choreography: TIMING } : {});
    coordinator = await spec.start(wb, { TRANSPORT: 'kafka' });
    await wb.seedStock([{ sku: 'widget', quantity: 10 }]);
    await wb.seedCustomers([{ id: 'bob', creditLimitCents: 500 }]);
  });
  afterAll(async () => {
    await coordinator?.stop();
    await wb?.close();
    for (const db of coordinator?.databases ?? []) await dropDatabase(servers.POSTGRES_URL, db);
  });

  it("a declined order: each command's topic, each recorded reply or event found at its partition and offset", async () => {
    const id = await wb.placeOrder('bob', [{ sku: 'widget', quantity: 1, unitPriceCents: 5_000 }]);
    await expect
      .poll(async () => (await sagaTimeline(coordinator.url, id))?.status, { timeout: 30_000, interval: 100 })
      .toBe('REJECTED');
    // The choreography's view may still hear the last events (the notification's) after the verdict.
    let t: SagaTimeline | undefined;
    await expect
      .poll(
        async () =>
          (t = await sagaTimeline(coordinator.url, id))!.history.filter(
            (h) => h.step === 'notifyRejected' && h.kind === 'succeeded',
          ),
        {
          timeout: 10_000,
          interval: 100,
        },
      )
      .not.toEqual([]);
    t = t!;
    const prefix = wb.env().KAFKA_TOPIC_PREFIX ?? '';

    const recorded = t.history.filter((h): h is HistoryLine & { via: { partition: number; offset: string } } =>
      Number.isInteger(h.via?.partition),
    );
    if (spec.choreography) {
      // Every entry is an event the view heard on an events topic.
      expect(t.history.filter((h) => h.step && !h.via)).toEqual([]);
      expect(recorded.every((h) => h.via.transport === 'kafka' && h.via.to.endsWith('.events'))).toBe(true);
    } else {
      const requested = t.history.filter((h) => h.kind === 'requested');
      expect(requested.map((h) => h.step)).toEqual(expect.arrayContaining(Object.keys(COMMAND_OF)));
      for (const h of requested) {
        expect(h.via?.transport, h.step!).toBe(name === 'custom' ? 'outbox' : 'kafka');
        expect(h.via?.to, h.step!).toBe(prefix + commandTopic(COMMAND_OF[h.step!]!));
        expect(Number.isInteger(h.via?.partition), h.step!).toBe(RECORDS_COMMAND_OFFSETS.has(name));
      }
      const answers = t.history.filter((h) => h.kind === 'succeeded' || h.kind === 'refused');
      expect(answers.length).toBeGreaterThanOrEqual(5);
      for (const h of answers) {
        expect(h.via?.transport).toBe('kafka');
        expect(h.via?.to).toBe(`${prefix}saga.replies`);
      }
      // Every reply consumed is recorded where it sat.
      expect(answers.every((h) => Number.isInteger(h.via?.partition))).toBe(true);
    }
    expect(recorded.length).toBeGreaterThanOrEqual(5);
    const at = await messageIdsAt(
      kafka,
      recorded.map((h) => ({ topic: h.via.to, partition: h.via.partition, offset: h.via.offset })),
    );
    // The record there is the entry's: a command's message id is its command id.
    for (const h of recorded)
      expect(at({ topic: h.via.to, partition: h.via.partition, offset: h.via.offset }), `${h.kind} ${h.step}`).toBe(
        h.kind === 'requested' && !spec.choreography ? h.commandId : h.messageId,
      );
  });
});
