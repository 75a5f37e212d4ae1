import type { Router } from 'express';
import { z } from 'zod';
import { HttpError } from '@saga/http';
import type { Pool } from '@saga/postgres';
import { pageQuery, parseOr400, requireToken } from '@saga/service';
import type { SagaStatus, Transition } from './engine.ts';

export const SAGA_STATUSES = ['RUNNING', 'COMPENSATING', 'COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'RESOLVED'] as const satisfies readonly SagaStatus[];

export const ListSagasQuery = pageQuery(SAGA_STATUSES, 50, 200);
export const OperatorBody = z.object({ note: z.string().max(2000).optional() }).strict();

export interface SagasApiDeps {
  pool: Pool;
  adminToken: string;
  operate(id: string, action: 'retry' | 'compensate' | 'resolve', note?: string): Promise<Transition<unknown> | undefined>;
}

/**
 * Inspection and operator actions (the base for a Saga Explorer page):
 * `GET /sagas?status=&page=`, `GET /sagas/:id` with its full history, and
 * `POST /sagas/:id/retry | compensate | resolve` (admin token; 409 when the action does not fit).
 */
export const sagasApi = (deps: SagasApiDeps) => (router: Router) => {
  router.get('/sagas', async (req, res) => {
    const { status, page, pageSize } = parseOr400(ListSagasQuery, req.query, 'query');
    const where = status ? 'WHERE status = $3' : '';
    const { rows } = await deps.pool.query(
      `SELECT id, status, current_step AS "currentStep", reason, version, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM sagas ${where} ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      [pageSize, (page - 1) * pageSize, ...(status ? [status] : [])],
    );
    const total = await deps.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sagas ${status ? 'WHERE status = $1' : ''}`, status ? [status] : []);
    res.json({ items: rows, page, pageSize, total: total.rows[0]!.n });
  });

  router.get('/sagas/:id', async (req, res) => {
    const { rows } = await deps.pool.query(
      `SELECT id, definition, status, current_step AS "currentStep", data, state, version, reason,
              deadline_at AS "deadlineAt", wake_at AS "wakeAt", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM sagas WHERE id = $1`,
      [req.params.id],
    );
    if (rows.length === 0) throw new HttpError(404, `no saga ${req.params.id}`);
    const history = await deps.pool.query(
      `SELECT at, cause, from_status AS "fromStatus", to_status AS "toStatus", step, command_id AS "commandId",
              reply_id AS "replyId", detail, instance
       FROM saga_history WHERE saga_id = $1 ORDER BY id`,
      [req.params.id],
    );
    res.json({ ...rows[0], history: history.rows });
  });

  for (const action of ['retry', 'compensate', 'resolve'] as const) {
    router.post(`/sagas/:id/${action}`, async (req, res) => {
      requireToken(req, deps.adminToken);
      const { note } = parseOr400(OperatorBody, req.body ?? {}, 'body');
      const t = await deps.operate(req.params.id, action, note);
      if (!t) throw new HttpError(404, `no saga ${req.params.id}`);
      if (t.refused) throw new HttpError(409, t.refused);
      res.json({ id: req.params.id, status: t.state.status, currentStep: t.state.current?.action ?? null });
    });
  }
};
