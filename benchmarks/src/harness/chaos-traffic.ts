import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Topics } from '@saga/contracts';
import { withTimeout } from '@saga/stack';
import { hasProcess } from '@saga/launcher';
import type { Mode } from './modes.ts';
import type { BenchWorkbench } from './workbench.ts';

/** The chaos suite's extra traffic (chaos.ts): duplicates of the saga's messages, and poison. */

export const POISON_HEADER = 'x-chaos-poison';

/**
 * Publishes a share of the run's commands and replies a second time (same key, value, headers),
 * a moment later: what a producer retry or a redelivery after a rebalance does.
 */
export const startDuplicator = async (wb: BenchWorkbench, share: number, mode: Mode) => {
  // The saga's traffic on Kafka: commands and replies, or (choreography, ADR 0018) the events the services react to.
  const saga = hasProcess(mode.coordinator)
    ? [
        Topics.inventoryCommands,
        Topics.paymentCommands,
        Topics.orderCommands,
        Topics.notificationCommands,
        Topics.sagaReplies,
      ]
    : [Topics.orderEvents, Topics.inventoryEvents, Topics.paymentEvents, Topics.notificationEvents];
  const topics = saga.map((t) => wb.prefix + t);
  const consumer = wb.kafka.consumer({
    groupId: `${wb.run}-chaos-dup-${randomUUID().slice(0, 8)}`,
    maxWaitTimeInMs: 50,
  });
  const producer = wb.kafka.producer();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topics, fromBeginning: false });
  let duplicated = 0;
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: async ({ topic, message }) => {
      if (message.headers?.[POISON_HEADER] || Math.random() >= share) return;
      await sleep(Math.random() * 300);
      await producer
        .send({ topic, messages: [{ key: message.key, value: message.value, headers: message.headers ?? {} }] })
        .then(
          () => void duplicated++,
          () => undefined, // the broker is restarting: this one is not duplicated
        );
    },
  });
  await withTimeout(joined, 30_000).catch(() => undefined);
  return {
    count: () => duplicated,
    stop: async () => void (await Promise.all([consumer.disconnect(), producer.disconnect()])),
  };
};

/** Three unreadable messages: not JSON, text PostgreSQL cannot store, the wrong shape. */
export const poisonBatch = (sagaId: string) => [
  '{"this is": not json',
  JSON.stringify({
    messageId: `poison-${randomUUID()}`,
    sagaId,
    occurredAt: new Date().toISOString(),
    type: 'ReserveStock',
    payload: { orderId: 'o\u0000', lines: [{ sku: 'bench', quantity: 1 }] },
  }),
  JSON.stringify({ messageId: `poison-${randomUUID()}`, sagaId, type: 'NoSuchCommand', payload: 42 }),
];
