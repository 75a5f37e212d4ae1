import type { Pool } from '@saga/postgres';
import { pageOfSagas, type Operated, type SagaOperator } from '@saga/service';
import type { SagaEvent, Transition } from './engine.ts';

/**
 * The custom orchestrator's side of the operator API (`operatorApi` in @saga/service serves it):
 * lists and timelines read from its own tables, operator actions applied as engine events
 * (`operate`), so they pass the same transition rules as a reply or a timer.
 */
export const customOperator = (pool: Pool, operate: (id: string, event: Extract<SagaEvent<never>, { type: 'operator' }>) => Promise<Transition<unknown> | undefined>): SagaOperator => ({
  list: (q) => pageOfSagas(pool, 'sagas', { step: 'current_step', reason: 'reason', extra: 'version' }, q),

  async get(id) {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT id, definition, status, current_step AS "currentStep", data, state, version, reason,
              deadline_at AS "deadlineAt", wake_at AS "wakeAt", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM sagas WHERE id = $1`,
      [id],
    );
    if (rows.length === 0) return undefined;
    const history = await pool.query(
      `SELECT at, cause, from_status AS "fromStatus", to_status AS "toStatus", step, command_id AS "commandId",
              reply_id AS "replyId", detail, instance
       FROM saga_history WHERE saga_id = $1 ORDER BY id`,
      [id],
    );
    return { ...rows[0]!, history: history.rows };
  },

  async operate(id, action, note): Promise<Operated> {
    const t = await operate(id, { type: 'operator', action, ...(note ? { note } : {}) });
    if (!t) return undefined;
    if (t.refused) return { refused: t.refused };
    return { outcome: { id, status: t.state.status, currentStep: t.state.current?.action ?? null } };
  },
});
