import type { SagaPage } from '@saga/contracts';
import type { Pool } from '@saga/postgres';
import type { Operated, SagaOperator } from '@saga/service';
import type { SagaEvent, Transition } from './engine.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The custom orchestrator's side of the operator API (`operatorApi` in @saga/service serves it):
 * lists and timelines read from its own tables, operator actions applied as engine events
 * (`operate`), so they pass the same transition rules as a reply or a timer.
 */
export const customOperator = (pool: Pool, operate: (id: string, event: Extract<SagaEvent<never>, { type: 'operator' }>) => Promise<Transition<unknown> | undefined>): SagaOperator => ({
  async list({ status, page, pageSize }): Promise<SagaPage> {
    const where = status ? 'WHERE status = $3' : '';
    const { rows } = await pool.query<{ id: string; status: SagaPage['items'][number]['status']; currentStep: string | null; reason: string | null; version: number; createdAt: Date; updatedAt: Date }>(
      `SELECT id, status, current_step AS "currentStep", reason, version, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM sagas ${where} ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      [pageSize, (page - 1) * pageSize, ...(status ? [status] : [])],
    );
    const total = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sagas ${status ? 'WHERE status = $1' : ''}`, status ? [status] : []);
    return { items: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, updatedAt: iso(r.updatedAt) })), page, pageSize, total: total.rows[0]!.n };
  },

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
