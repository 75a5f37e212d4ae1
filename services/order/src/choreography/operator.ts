import { randomUUID } from 'node:crypto';
import { isTerminal, ORDER_SAGA_STEPS, timelineOf, type MessageRoute, type SagaStatus } from '@saga/contracts';
import { appendToOutbox, toOutbox } from '@saga/outbox';
import { withTransaction } from '@saga/postgres';
import {
  historyLine,
  iso,
  pageOfSagas,
  type ChoreographyDeps,
  type Operated,
  type SagaColumns,
  type SagaOperator,
} from '@saga/service';
import { load, save } from './store.ts';
import { derive, requestedBy, TRIGGER_OF } from './view.ts';

/** Steps that move a saga forward (a late event asks for none of them once it compensates). */
const FORWARD = new Set<string>(ORDER_SAGA_STEPS);

/** The columns of the saga view that its list (`pageOfSagas`) reads: the customer is in the order service's orders. */
export const SAGA_VIEW_COLUMNS: SagaColumns = {
  step: 'current_step',
  reason: 'coalesce(parked, reason)',
  customer: '(SELECT o.customer_id FROM orders o WHERE o.id = saga_view.id)',
  customerIs: (p) => `id IN (SELECT o.id FROM orders o WHERE o.customer_id = ${p})`,
};

/** The operator API over the view: retry publishes again the event each pending step reacts to. */
export const keeperOperator = (
  pool: ServicePool,
  verdict: (orderId: string, reason: string) => Promise<{ payload: { outcome: string; reason?: string } }>,
): SagaOperator => ({
  // The reason a list shows: why it waits for a person, else why it compensates.
  list: (q) => pageOfSagas(pool, 'saga_view', SAGA_VIEW_COLUMNS, q),

  async get(id) {
    const { rows } = await pool.query<{
      id: string;
      status: SagaStatus;
      currentStep: string | null;
      pastPivot: boolean;
      facts: string[];
      reason: string | null;
      parked: string | null;
      note: string | null;
      deadlineAt: Date | null;
      createdAt: Date;
      updatedAt: Date;
    }>(
      `SELECT id, status, current_step AS "currentStep", past_pivot AS "pastPivot", facts, coalesce(parked, reason) AS reason, parked, note,
              deadline_at AS "deadlineAt", created_at AS "createdAt", updated_at AS "updatedAt" FROM saga_view WHERE id = $1`,
      [id],
    );
    const v = rows[0];
    if (!v) return undefined;
    const stored = await pool.query<{
      at: Date;
      cause: string;
      step: string | null;
      detail: string | null;
      event: string | null;
      messageId: string | null;
      occurredAt: Date | null;
      status: SagaStatus;
      via: MessageRoute | null;
    }>(
      'SELECT at, cause, step, detail, event, message_id AS "messageId", occurred_at AS "occurredAt", status, via FROM saga_view_history WHERE saga_id = $1 ORDER BY id',
      [id],
    );
    // Each entry at the time its event was published (the view hears them later, in no order between topics),
    // followed by the steps it asks for.
    const history = stored.rows.flatMap((h) => {
      const line = historyLine(h.cause, {
        at: h.occurredAt ?? h.at,
        step: h.step,
        attempt: null,
        status: h.status,
        detail: h.detail,
        commandId: null,
        messageId: h.messageId,
        // The event the view heard: the next services react to the same message.
        via: h.via,
      });
      // A late event asks for no forward step once the verdict is given (a PaymentAuthorized after the
      // deadline's OrderRejected: the order refuses to approve, and nothing would ever end that step).
      const asked = requestedBy({ kind: line.kind, event: h.event, step: h.step, detail: h.detail }).filter(
        (step) => h.status === 'RUNNING' || !FORWARD.has(step),
      );
      return [
        line,
        ...asked.map((step) => ({
          ...line,
          kind: 'requested' as const,
          step,
          detail: h.event ? `on ${h.event}` : line.kind,
          messageId: h.messageId,
        })),
      ];
    });
    // In the order the services acted (stable: a step asked for stays after the event that asked).
    history.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const { pastPivot, facts, parked, note } = v;
    return timelineOf(
      // No timer of the coordinator's but the deadline: the reacting services retry on their own clocks.
      {
        ...v,
        createdAt: iso(v.createdAt)!,
        updatedAt: iso(v.updatedAt),
        deadlineAt: iso(v.deadlineAt),
        nextTimerAt: iso(v.deadlineAt),
        coordinator: { pastPivot, facts, parked, note },
      },
      history,
    );
  },

  async operate(id, action, note): Promise<Operated> {
    const with_ = note ? ` (${note})` : '';
    if (action === 'compensate') {
      const row = await pool.query<{ status: SagaStatus; past_pivot: boolean }>(
        'SELECT status, past_pivot FROM saga_view WHERE id = $1',
        [id],
      );
      const r = row.rows[0];
      if (!r) return undefined;
      if (r.status !== 'RUNNING' || r.past_pivot)
        return {
          refused: `cannot compensate a saga that is ${r.status}${r.past_pivot ? ' and past its pivot (it only goes forward)' : ''}`,
        };
      // The verdict decides on the order's row lock: an approval that came first wins.
      const reply = await verdict(id, 'OPERATOR_COMPENSATED');
      if (reply.payload.outcome !== 'SUCCESS')
        return { refused: `the order was not rejected: ${reply.payload.reason}` };
    }
    return withTransaction(pool, async (tx): Promise<Operated> => {
      const row = await load(tx, id);
      if (!row) return undefined;
      const d = derive(row);
      switch (action) {
        case 'compensate':
          await save(tx, row, d, { kind: 'operator', detail: `compensate${with_}` });
          return { outcome: { id, status: 'COMPENSATING', currentStep: 'voidPayment' } };
        case 'resolve': {
          if (d.status !== 'NEEDS_ATTENTION')
            return { refused: `only a NEEDS_ATTENTION saga can be resolved; this one is ${d.status}` };
          const next = { ...row, resolved: true, note: note ?? null };
          await save(tx, next, derive(next), { kind: 'operator', detail: `resolve${with_}` });
          return { outcome: { id, status: 'RESOLVED', currentStep: null } };
        }
        case 'retry': {
          if (isTerminal(d.status) || d.pending.length === 0)
            return { refused: `cannot retry a saga that is ${d.status}` };
          const again = d.pending.map(
            (step) =>
              row.events[
                step === 'rejectOrder'
                  ? (['StockRefused', 'PaymentDeclined', 'ForwardStepFailed'].find((f) => row.events[f]) ?? '')
                  : (TRIGGER_OF[step] ?? '')
              ],
          );
          if (again.some((t) => !t?.topic))
            return {
              refused: `nothing to publish again for ${d.pending.join(', ')}: the event it reacts to was not seen`,
            };
          await appendToOutbox(
            tx,
            again.map((t) => toOutbox(t!.topic, { ...t!.message, messageId: randomUUID() })),
          );
          const next = { ...row, parked: null };
          const nd = derive(next);
          await save(tx, next, nd, { kind: 'operator', step: d.pending.join(', '), detail: `retry${with_}` });
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
