import { randomUUID } from 'node:crypto';
import { CHOREOGRAPHY, commandEnvelope, DomainEvent, eventTopic, isTerminal, Topics, type SagaStatus } from '@saga/contracts';
import { startConsumer } from '@saga/kafka';
import { appendToOutbox, processOnce, toOutbox } from '@saga/outbox';
import type { Queryable } from '@saga/postgres';
import { withTransaction } from '@saga/postgres';
import { operatorApi, pageOfSagas, type ChoreographyDeps, type Operated, type SagaOperator } from '@saga/service';
import { apply, causeOf, derive, factOf, publisherOf, TRIGGER_OF, type Derived, type ViewState } from './view.ts';

interface ViewRow extends ViewState {
  id: string;
  status: SagaStatus;
  events: Record<string, { topic: string; message: DomainEvent }>;
  note: string | null;
}

const VIEW_TOPICS = [Topics.orderEvents, Topics.inventoryEvents, Topics.paymentEvents, Topics.notificationEvents];

const load = async (db: Queryable, id: string): Promise<ViewRow | undefined> => {
  const { rows } = await db.query<ViewRow>('SELECT id, status, facts, events, reason, parked, note FROM saga_view WHERE id = $1 FOR UPDATE', [id]);
  const r = rows[0];
  return r && { ...r, resolved: r.status === 'RESOLVED' };
};

const save = async (db: Queryable, r: ViewRow, d: Derived, cause: string, event?: DomainEvent) => {
  const running = d.status === 'RUNNING' && !d.pastPivot;
  await db.query(
    `UPDATE saga_view SET status = $2, current_step = $3, past_pivot = $4, facts = $5, events = $6, reason = $7, parked = $8, note = $9,
       deadline_at = CASE WHEN $10 THEN deadline_at END, updated_at = now() WHERE id = $1`,
    [r.id, d.status, d.pending.join('+') || null, d.pastPivot, r.facts, JSON.stringify(r.events), r.reason, r.parked, r.note, running],
  );
  await db.query('INSERT INTO saga_view_history (saga_id, cause, event, message_id, occurred_at, status) VALUES ($1, $2, $3, $4, $5, $6)', [
    r.id,
    cause,
    event?.type ?? null,
    event?.messageId ?? null,
    event?.occurredAt ?? null,
    d.status,
  ]);
};

/**
 * The order service under ORCHESTRATOR=choreography keeps each saga's view (from every service's
 * events), owns the deadline (it owns the order and gives its verdict, so the race between
 * "approve" and "too late" is settled on one row lock) and serves the operator API (ADR 0018).
 */
export const startKeeper = async (deps: ChoreographyDeps) => {
  const { ctx, ownership, timing, execute } = deps;
  const { pool, log } = ctx;

  const verdict = (orderId: string, reason: string) =>
    execute(commandEnvelope({ commandId: `${orderId}:rejectOrder`, sagaId: orderId, type: 'RejectOrder', payload: { orderId, reason } }, ctx.now()), 'event');

  const observe = (e: DomainEvent) =>
    processOnce(pool, 'order-saga-view', e.messageId, async (tx) => {
      let row = await load(tx, e.sagaId);
      if (!row) {
        // Only this choreography's sagas: it claims on OrderCreated (as inventory does); the order's
        // verdicts are every mode's events; the other events arise only in choreographed sagas.
        const ours =
          e.type === 'OrderCreated' ? await ownership.claim(e.sagaId)
          : e.type === 'OrderApproved' || e.type === 'OrderRejected' ? (await ownership.ownerOf(e.sagaId)) === CHOREOGRAPHY
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
        await save(tx, row, was, `ignored ${e.type}: saga is ${was.status}`, e);
        return { outcome: null };
      }
      const next: ViewRow = { ...row, ...apply(row, e) };
      const fact = factOf(e);
      if (fact) next.events = { ...row.events, [fact]: { topic: ctx.topic(e.type === 'ReactionFailed' ? publisherOf(e.payload.step) : eventTopic(e.type)), message: e } };
      await save(tx, next, derive(next), causeOf(e), e);
      return { outcome: null };
    });

  const consumer = await startConsumer({
    kafka: deps.kafka,
    producer: deps.producer,
    groupId: `${ctx.topic('')}order-saga-view`,
    topics: VIEW_TOPICS.map(ctx.topic),
    schema: DomainEvent,
    handle: (e) => observe(e).then(() => undefined),
    isTransient: deps.transient,
    concurrency: deps.concurrency,
    fromBeginning: true,
    onDeadLetter: (reason, meta) => log.warn({ reason, ...meta }, 'event dead-lettered (saga view)'),
  });

  /** The deadline: a saga still before its pivot when it passes is rejected (the reactions then undo what was done). */
  const deadlines = async () => {
    const due = await pool.query<{ id: string }>(`SELECT id FROM saga_view WHERE deadline_at <= now() AND status = 'RUNNING' AND NOT past_pivot ORDER BY deadline_at LIMIT 100`);
    for (const { id } of due.rows) {
      const reply = await verdict(id, 'DEADLINE_EXCEEDED');
      await withTransaction(pool, async (tx) => {
        const row = await load(tx, id);
        if (!row) return;
        await tx.query('UPDATE saga_view SET deadline_at = NULL WHERE id = $1', [id]);
        await save(tx, row, derive(row), reply.payload.outcome === 'SUCCESS' ? 'saga deadline passed: rejecting the order' : `saga deadline passed; the order was not rejected: ${reply.payload.reason}`);
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

/** The operator API over the view: retry publishes again the event each pending step reacts to. */
const keeperOperator = (pool: ServicePool, verdict: (orderId: string, reason: string) => Promise<{ payload: { outcome: string; reason?: string } }>): SagaOperator => ({
  // The reason a list shows: why it waits for a person, else why it compensates.
  list: (q) => pageOfSagas(pool, 'saga_view', { step: 'current_step', reason: 'coalesce(parked, reason)' }, q),

  async get(id) {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT id, status, current_step AS "currentStep", past_pivot AS "pastPivot", facts, reason, parked, note,
              deadline_at AS "deadlineAt", created_at AS "createdAt", updated_at AS "updatedAt" FROM saga_view WHERE id = $1`,
      [id],
    );
    if (rows.length === 0) return undefined;
    const history = await pool.query('SELECT at, cause, event, message_id AS "messageId", occurred_at AS "occurredAt", status FROM saga_view_history WHERE saga_id = $1 ORDER BY id', [id]);
    return { ...rows[0], history: history.rows };
  },

  async operate(id, action, note): Promise<Operated> {
    const with_ = note ? ` (${note})` : '';
    if (action === 'compensate') {
      const row = await pool.query<{ status: SagaStatus; past_pivot: boolean }>('SELECT status, past_pivot FROM saga_view WHERE id = $1', [id]);
      const r = row.rows[0];
      if (!r) return undefined;
      if (r.status !== 'RUNNING' || r.past_pivot) return { refused: `cannot compensate a saga that is ${r.status}${r.past_pivot ? ' and past its pivot (it only goes forward)' : ''}` };
      // The verdict decides on the order's row lock: an approval that came first wins.
      const reply = await verdict(id, 'OPERATOR_COMPENSATED');
      if (reply.payload.outcome !== 'SUCCESS') return { refused: `the order was not rejected: ${reply.payload.reason}` };
    }
    return withTransaction(pool, async (tx): Promise<Operated> => {
      const row = await load(tx, id);
      if (!row) return undefined;
      const d = derive(row);
      switch (action) {
        case 'compensate':
          await save(tx, row, d, `operator: compensate${with_}`);
          return { outcome: { id, status: 'COMPENSATING', currentStep: 'voidPayment' } };
        case 'resolve': {
          if (d.status !== 'NEEDS_ATTENTION') return { refused: `only a NEEDS_ATTENTION saga can be resolved; this one is ${d.status}` };
          const next = { ...row, resolved: true, note: note ?? null };
          await save(tx, next, derive(next), `operator: resolved${note ? `: ${note}` : ''}`);
          return { outcome: { id, status: 'RESOLVED', currentStep: null } };
        }
        case 'retry': {
          if (isTerminal(d.status) || d.pending.length === 0) return { refused: `cannot retry a saga that is ${d.status}` };
          const again = d.pending.map((step) => row.events[step === 'rejectOrder' ? (['StockRefused', 'PaymentDeclined', 'ForwardStepFailed'].find((f) => row.events[f]) ?? '') : (TRIGGER_OF[step] ?? '')]);
          if (again.some((t) => !t?.topic)) return { refused: `nothing to publish again for ${d.pending.join(', ')}: the event it reacts to was not seen` };
          await appendToOutbox(tx, again.map((t) => toOutbox(t!.topic, { ...t!.message, messageId: randomUUID() })));
          const next = { ...row, parked: null };
          const nd = derive(next);
          await save(tx, next, nd, `operator: retry ${d.pending.join(', ')}${with_}`);
          return { outcome: { id, status: nd.status, currentStep: nd.pending.join('+') || null } };
        }
        default: {
          const unreachable: never = action;
          throw new Error(`unknown operator action ${String(unreachable)}`);
        }
      }
    });
  },
});

type ServicePool = ChoreographyDeps['ctx']['pool'];
