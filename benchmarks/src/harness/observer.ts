import type { Kafka } from 'kafkajs';
import { OrderEvent, SagaPage, type SagaStatus } from '@saga/contracts';

const TERMINAL = new Set(['OrderApproved', 'OrderRejected']);

/**
 * Watches `topic` (the run's order events) from the beginning: when each order's terminal event
 * was consumed, which it was, and why a rejected one was rejected. Resolves once it has joined.
 */
export const observeOrders = async (kafka: Kafka, groupId: string, topic: string) => {
  const terminalAt = new Map<string, number>();
  const outcome = new Map<string, string>();
  const rejectReason = new Map<string, string>();
  const observer = kafka.consumer({ groupId, maxWaitTimeInMs: 20 });
  await observer.connect();
  await observer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((r) => observer.on(observer.events.GROUP_JOIN, () => r()));
  await observer.run({
    partitionsConsumedConcurrently: 8,
    eachMessage: async ({ message }) => {
      const e = OrderEvent.parse(JSON.parse(message.value!.toString()));
      if (TERMINAL.has(e.type)) {
        terminalAt.set(e.payload.orderId, performance.now());
        outcome.set(e.payload.orderId, e.type);
        if (e.type === 'OrderRejected') rejectReason.set(e.payload.orderId, e.payload.reason);
      }
    },
  });
  await joined;
  return { terminalAt, outcome, rejectReason, stop: () => observer.disconnect() };
};

/** One page of a coordinator's sagas in `status`, through the operator API every coordinator serves (ADR 0017). */
export const sagaPage = async (base: string, status: SagaStatus, pageSize: number) => {
  const res = await fetch(`${base}/sagas?status=${status}&pageSize=${pageSize}`);
  if (!res.ok) throw new Error(`GET /sagas?status=${status} → ${res.status} ${await res.text()}`);
  return SagaPage.parse(await res.json());
};

/** Why a saga parked, from its timeline: the last entry that is not a status change or an operator's. */
export const lastStepEntry = async (base: string, id: string) => {
  const saga = (await (await fetch(`${base}/sagas/${id}`)).json().catch(() => ({}))) as { history?: { cause: string }[] };
  return (saga.history ?? []).map((h) => h.cause).filter((c) => !c.startsWith('saga ') && !c.startsWith('operator:')).at(-1) ?? 'unknown';
};
