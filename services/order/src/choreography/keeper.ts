import { CHOREOGRAPHY, commandEnvelope, DomainEvent, eventTopic, isTerminal, Topics } from '@saga/contracts';
import { startConsumer, type MessageMeta } from '@saga/kafka';
import { processOnce } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import { consumedAt, operatorApi, type ChoreographyDeps } from '@saga/service';
import { apply, derive, entryOf, factOf, publisherOf } from './view.ts';
import { load, save, type ViewRow } from './store.ts';
import { keeperOperator } from './operator.ts';

const VIEW_TOPICS = [Topics.orderEvents, Topics.inventoryEvents, Topics.paymentEvents, Topics.notificationEvents];

/**
 * The order service under ORCHESTRATOR=choreography keeps each saga's view (from every service's
 * events), owns the deadline (it owns the order and gives its verdict, so the race between
 * "approve" and "too late" is settled on one row lock) and serves the operator API (ADR 0018).
 */
export const startKeeper = async (deps: ChoreographyDeps) => {
  const { ctx, ownership, timing, execute } = deps;
  const { pool, log } = ctx;

  const verdict = (orderId: string, reason: string) =>
    execute(
      commandEnvelope(
        { commandId: `${orderId}:rejectOrder`, sagaId: orderId, type: 'RejectOrder', payload: { orderId, reason } },
        ctx.now(),
      ),
      'event',
    );

  const observe = (e: DomainEvent, meta: MessageMeta) =>
    processOnce(pool, 'order-saga-view', e.messageId, async (tx) => {
      const heard = { message: e, via: consumedAt(meta) };
      let row = await load(tx, e.sagaId);
      if (!row) {
        // Only this choreography's sagas: it claims on OrderCreated (as inventory does); the order's
        // verdicts are every mode's events; the other events arise only in choreographed sagas.
        const ours =
          e.type === 'OrderCreated'
            ? await ownership.claim(e.sagaId)
            : e.type === 'OrderApproved' || e.type === 'OrderRejected'
              ? (await ownership.ownerOf(e.sagaId)) === CHOREOGRAPHY
              : true;
        if (!ours) return { outcome: null };
        await tx.query(
          `INSERT INTO saga_view (id, status, current_step, deadline_at) VALUES ($1, 'RUNNING', 'reserveStock', now() + $2 * interval '1 millisecond') ON CONFLICT DO NOTHING`,
          [e.sagaId, timing.deadlineMs],
        );
        row = (await load(tx, e.sagaId))!;
      }
      const was = derive(row);
      if (isTerminal(was.status)) {
        await save(tx, row, was, { kind: 'ignored', detail: `${e.type}: saga is ${was.status}` }, heard);
        return { outcome: null };
      }
      const next: ViewRow = { ...row, ...apply(row, e) };
      const fact = factOf(e);
      if (fact)
        next.events = {
          ...row.events,
          [fact]: {
            topic: ctx.topic(e.type === 'ReactionFailed' ? publisherOf(e.payload.step) : eventTopic(e.type)),
            message: e,
          },
        };
      await save(tx, next, derive(next), entryOf(e), heard);
      return { outcome: null };
    });

  const consumer = await startConsumer({
    kafka: deps.kafka,
    producer: deps.producer,
    groupId: `${ctx.topic('')}order-saga-view`,
    topics: VIEW_TOPICS.map(ctx.topic),
    schema: DomainEvent,
    handle: (e, meta) => observe(e, meta).then(() => undefined),
    isTransient: deps.transient,
    concurrency: deps.concurrency,
    fromBeginning: true,
    onDeadLetter: (reason, meta) => log.warn({ reason, ...meta }, 'event dead-lettered (saga view)'),
  });

  /** The deadline: a saga still before its pivot when it passes is rejected (the reactions then undo what was done). */
  const deadlines = async () => {
    const due = await pool.query<{ id: string }>(
      `SELECT id FROM saga_view WHERE deadline_at <= now() AND status = 'RUNNING' AND NOT past_pivot ORDER BY deadline_at LIMIT 100`,
    );
    for (const { id } of due.rows) {
      const reply = await verdict(id, 'DEADLINE_EXCEEDED');
      await withTransaction(pool, async (tx) => {
        const row = await load(tx, id);
        if (!row) return;
        await tx.query('UPDATE saga_view SET deadline_at = NULL WHERE id = $1', [id]);
        await save(tx, row, derive(row), {
          kind: 'deadline',
          detail:
            reply.payload.outcome === 'SUCCESS'
              ? 'rejecting the order'
              : `the order was not rejected: ${reply.payload.reason}`,
        });
      });
    }
  };
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    deadlines()
      .catch((err: unknown) => log.warn({ err }, 'deadline check failed; retrying'))
      .finally(() => (ticking = false));
  }, 250);

  return {
    routes: operatorApi(keeperOperator(pool, verdict), ctx.adminToken),
    stop: async () => {
      clearInterval(timer);
      await consumer.stop();
    },
  };
};
