import type { Pool } from '@saga/postgres';
import { timelineOf, type MessageRoute, type SagaStatus } from '@saga/contracts';
import { historyLine, iso, pageOfSagas, type Operated, type SagaColumns, type SagaOperator } from '@saga/service';
import type { SagaEvent, Transition } from './engine.ts';

/** The columns of the `sagas` table that its list (`pageOfSagas`) reads: the customer is in the saga's data. */
export const CUSTOM_SAGA_COLUMNS: SagaColumns = {
  step: 'current_step',
  reason: 'reason',
  customer: "data->>'customerId'",
};

/**
 * The custom orchestrator's side of the operator API (`operatorApi` in @saga/service serves it):
 * lists and timelines read from its own tables, operator actions applied as engine events
 * (`operate`), so they pass the same transition rules as a reply or a timer.
 */
export const customOperator = (
  pool: Pool,
  operate: (
    id: string,
    event: Extract<SagaEvent<never>, { type: 'operator' }>,
  ) => Promise<Transition<unknown> | undefined>,
): SagaOperator => ({
  list: (q) => pageOfSagas(pool, 'sagas', { ...CUSTOM_SAGA_COLUMNS, extra: 'version' }, q),

  async get(id) {
    const { rows } = await pool.query<{
      id: string;
      definition: string;
      status: SagaStatus;
      currentStep: string | null;
      data: unknown;
      version: number;
      reason: string | null;
      deadlineAt: Date | null;
      wakeAt: Date | null;
      createdAt: Date;
      updatedAt: Date;
    }>(
      `SELECT id, definition, status, current_step AS "currentStep", data, version, reason,
              deadline_at AS "deadlineAt", wake_at AS "wakeAt", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM sagas WHERE id = $1`,
      [id],
    );
    const saga = rows[0];
    if (!saga) return undefined;
    const history = await pool.query<{
      at: Date;
      cause: string;
      status: SagaStatus;
      step: string | null;
      attempt: number | null;
      detail: string | null;
      commandId: string | null;
      replyId: string | null;
      via: MessageRoute | null;
      instance: string | null;
    }>(
      `SELECT at, cause, to_status AS status, step, attempt, detail, command_id AS "commandId", reply_id AS "replyId", via, instance
       FROM saga_history WHERE saga_id = $1 ORDER BY id`,
      [id],
    );
    const { definition, data, version, deadlineAt, wakeAt } = saga;
    return timelineOf(
      {
        ...saga,
        createdAt: iso(saga.createdAt)!,
        updatedAt: iso(saga.updatedAt),
        deadlineAt: iso(deadlineAt),
        nextTimerAt: iso(wakeAt),
        coordinator: { definition, data, version },
      },
      history.rows.map((h) =>
        historyLine(h.cause, {
          at: h.at,
          step: h.step,
          attempt: h.attempt,
          status: h.status,
          detail: h.detail,
          commandId: h.commandId,
          messageId: h.replyId,
          via: h.via,
        }),
      ),
    );
  },

  async operate(id, action, note): Promise<Operated> {
    const t = await operate(id, { type: 'operator', action, ...(note ? { note } : {}) });
    if (!t) return undefined;
    if (t.refused) return { refused: t.refused };
    return { outcome: { id, status: t.state.status, currentStep: t.state.current?.action ?? null } };
  },
});
