import type { Router } from 'express';
import {
  HISTORY_KINDS,
  ListSagasQuery,
  OPERATOR_ACTIONS,
  OperatorBody,
  type HistoryKind,
  type HistoryLine,
  type OperatorAction,
  type OperatorOutcome,
  type SagaPage,
  type SagaStatus,
  type SagaTimeline,
} from '@saga/contracts';
import type { Queryable } from '@saga/postgres';
import { HttpError } from '@saga/http';
import { parseOr400, requireToken } from './routes.ts';

/** What an operator action came to: done (with the saga's new status), refused (why), or no such saga. */
export type Operated = { outcome: OperatorOutcome } | { refused: string } | undefined;

/** What a coordinator provides so that it serves the operator API; the HTTP edge is the same for all. */
export interface SagaOperator {
  list(q: ListSagasQuery): Promise<SagaPage>;
  /** One saga's timeline (contracts `SagaTimeline`, built by `timelineOf`); undefined when there is no such saga. */
  get(id: string): Promise<SagaTimeline | undefined>;
  operate(id: string, action: OperatorAction, note?: string): Promise<Operated>;
}

/**
 * The operator API every coordinator serves (contracts `operator.ts`): `GET /sagas?status=&page=`
 * with the total, `GET /sagas/:id`, and `POST /sagas/:id/retry | compensate | resolve` with the
 * admin token — 400 for a bad query or body, 404 for no such saga, 409 when the action does not
 * fit the saga now (the reason says why).
 */
export const operatorApi = (operator: SagaOperator, adminToken: string) => (router: Router) => {
  router.get('/sagas', async (req, res) => {
    res.json(await operator.list(parseOr400(ListSagasQuery, req.query, 'query')));
  });

  router.get('/sagas/:id', async (req, res) => {
    const saga = await operator.get(req.params.id);
    if (!saga) throw new HttpError(404, `no saga ${req.params.id}`);
    res.json(saga);
  });

  for (const action of OPERATOR_ACTIONS) {
    router.post(`/sagas/:id/${action}`, async (req, res) => {
      requireToken(req, adminToken);
      const { note } = parseOr400(OperatorBody, req.body ?? {}, 'body');
      const done = await operator.operate(req.params.id, action, note);
      if (!done) throw new HttpError(404, `no saga ${req.params.id}`);
      if ('refused' in done) throw new HttpError(409, done.refused);
      res.json(done.outcome);
    });
  }
};

/** A time as the operator API writes it. */
export const iso = (d: Date | null) => (d ? d.toISOString() : null);

type LineFields = Omit<HistoryLine, 'at' | 'kind'> & { at: Date | string };

/** A stored history row as a typed entry; a kind this version does not know (an older row's prose) is a `note`. */
export const historyLine = (kind: string, f: LineFields): HistoryLine => {
  const known = (HISTORY_KINDS as readonly string[]).includes(kind);
  const at = typeof f.at === 'string' ? f.at : f.at.toISOString();
  return {
    ...f,
    at,
    kind: known ? (kind as HistoryKind) : 'note',
    detail: known ? f.detail : [kind, f.detail].filter(Boolean).join(': '),
  };
};

/**
 * One page of a coordinator's sagas table, oldest first, with the total: `table` has `id`,
 * `status`, `created_at`, `updated_at`; `step` and `reason` are the SQL that gives its current
 * step and its reason (the custom orchestrator's and the choreography's view differ there);
 * `extra`, more columns its rows carry (the custom orchestrator's `version`).
 */
export const pageOfSagas = async (
  db: Queryable,
  table: string,
  columns: { step: string; reason: string; extra?: string },
  { status, page, pageSize }: ListSagasQuery,
): Promise<SagaPage> => {
  const where = status ? 'WHERE status = $3' : '';
  const { rows } = await db.query<{
    id: string;
    status: SagaStatus;
    currentStep: string | null;
    reason: string | null;
    createdAt: Date;
    updatedAt: Date;
  }>(
    `SELECT id, status, ${columns.step} AS "currentStep", ${columns.reason} AS reason, created_at AS "createdAt", updated_at AS "updatedAt"${columns.extra ? `, ${columns.extra}` : ''}
     FROM ${table} ${where} ORDER BY created_at, id LIMIT $1 OFFSET $2`,
    [pageSize, (page - 1) * pageSize, ...(status ? [status] : [])],
  );
  const total = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} ${status ? 'WHERE status = $1' : ''}`,
    status ? [status] : [],
  );
  return {
    items: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, updatedAt: iso(r.updatedAt) })),
    page,
    pageSize,
    total: total.rows[0]!.n,
  };
};
