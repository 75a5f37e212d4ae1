import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { createProducer, startConsumer } from '@saga/kafka';
import { ACTIVE_STATUSES, OrderEvent, SagaPage, type SagaStatus, type SagaTimeline } from '@saga/contracts';

const TERMINAL = new Set(['OrderApproved', 'OrderRejected']);

/** Any message of the topic: the observer reads order events among whatever else is there (it dead-letters nothing). */
const AnyMessage = z.object({ type: z.string() }).passthrough();

/**
 * Watches `topic` (the run's order events) from the beginning: when each order's terminal event
 * was consumed, which it was, and why a rejected one was rejected. Resolves once it has joined.
 * Through the services' own consumer (@saga/kafka), which starts afresh after a crash kafkajs
 * leaves stopped: a raw consumer here died for good in a Kafka restart ("Failed to find group
 * coordinator") and every later slice of that run counted its sagas as lost.
 */
export const observeOrders = async (kafka: Kafka, groupId: string, topic: string, onRestart?: (err: Error) => void) => {
  const terminalAt = new Map<string, number>();
  const outcome = new Map<string, string>();
  const rejectReason = new Map<string, string>();
  /** Orders that got both verdicts (the checker's `approved-and-rejected`). */
  const bothVerdicts = new Set<string>();
  const producer = createProducer(kafka);
  await producer.connect();
  const consumer = await startConsumer({
    kafka,
    producer,
    groupId,
    topics: [topic],
    schema: AnyMessage,
    fromBeginning: true,
    concurrency: 8,
    maxWaitTimeInMs: 20,
    ...(onRestart ? { onRestart } : {}),
    handle: async (m) => {
      const parsed = OrderEvent.safeParse(m);
      if (!parsed.success) return;
      const e = parsed.data;
      if (TERMINAL.has(e.type)) {
        const before = outcome.get(e.payload.orderId);
        if (before !== undefined && before !== e.type) bothVerdicts.add(e.payload.orderId);
        terminalAt.set(e.payload.orderId, performance.now());
        outcome.set(e.payload.orderId, e.type);
        if (e.type === 'OrderRejected') rejectReason.set(e.payload.orderId, e.payload.reason);
      }
    },
  });
  return {
    terminalAt,
    outcome,
    rejectReason,
    bothVerdicts,
    stop: async () => {
      await consumer.stop();
      await producer.disconnect();
    },
  };
};

/** One page of a coordinator's sagas in `status`, through the operator API every coordinator serves (ADR 0017). */
export const sagaPage = async (base: string, status: SagaStatus, pageSize: number) => {
  const res = await fetch(`${base}/sagas?status=${status}&pageSize=${pageSize}`);
  if (!res.ok) throw new Error(`GET /sagas?status=${status} → ${res.status} ${await res.text()}`);
  return SagaPage.parse(await res.json());
};

/** Why a saga parked, from its timeline: the last entry that is not a status change or an operator's. */
export const lastStepEntry = async (base: string, id: string) => {
  const saga = (await (await fetch(`${base}/sagas/${id}`)).json().catch(() => ({}))) as Partial<SagaTimeline>;
  const last = (saga.history ?? []).filter((h) => h.step !== null && h.kind !== 'operator').at(-1);
  return last ? `${last.step} ${last.kind}${last.detail ? `: ${last.detail}` : ''}` : 'unknown';
};

const ADMIN = { authorization: 'Bearer workbench-admin', 'content-type': 'application/json' };

/**
 * The operator: every saga parked as NEEDS_ATTENTION (a compensation that kept failing), retried
 * through the operator API every coordinator serves. Returns the sagas retried, each with why it
 * parked: its reason where the list has one, else the last step entry of its timeline (Temporal's
 * list carries no reason).
 */
export const retryParked = async (base: string, note: string): Promise<{ id: string; why: string }[]> => {
  const retried: { id: string; why: string }[] = [];
  for (const { id, reason } of (await sagaPage(base, 'NEEDS_ATTENTION', 200)).items) {
    const why = reason ?? (await lastStepEntry(base, id));
    // 409: it moved on between the list and the retry.
    const res = await fetch(`${base}/sagas/${id}/retry`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ note }),
    }).catch(() => undefined);
    await res?.text().catch(() => '');
    if (res?.ok) retried.push({ id, why });
  }
  return retried;
};

/** Sagas still moving on their own (the order is terminal before its saga: commit, notify). */
export const sagasMoving = async (base: string) => {
  const pages = await Promise.all(ACTIVE_STATUSES.map((st) => sagaPage(base, st, 1)));
  return pages.reduce((n, p) => n + p.total, 0);
};
