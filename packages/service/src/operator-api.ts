import type { Router } from 'express';
import {
  HISTORY_KINDS,
  ListSagasQuery,
  OPERATOR_ACTIONS,
  OperatorBody,
  SAGA_STATUSES,
  UNFINISHED_STATUSES,
  type HistoryKind,
  type HistoryLine,
  type OperatorAction,
  type OperatorOutcome,
  type SagaFilter,
  type SagaPage,
  type SagaSort,
  type SagaStatus,
  type SagaTimeline,
} from '@saga/contracts';
import type { Queryable } from '@saga/postgres';
import { HttpError } from '@saga/http';
import { withRoutes, type MessageRoutes } from './message-routes.ts';
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
 * fit the saga now (the reason says why). With `routes`, each command and answer in a timeline
 * says where it travelled (`withRoutes`).
 */
export const operatorApi = (operator: SagaOperator, adminToken: string, routes?: MessageRoutes) => (router: Router) => {
  router.get('/sagas', async (req, res) => {
    res.json(await operator.list(parseOr400(ListSagasQuery, req.query, 'query')));
  });

  router.get('/sagas/:id', async (req, res) => {
    const saga = await operator.get(req.params.id);
    if (!saga) throw new HttpError(404, `no saga ${req.params.id}`);
    res.json(routes ? withRoutes(saga, routes) : saga);
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

/** The SQL of a coordinator's sagas table that `pageOfSagas` reads. */
export interface SagaColumns {
  /** Its current step and its reason (the custom orchestrator's and the choreography's view differ there). */
  step: string;
  reason: string;
  /** The order's customer id (null where the table does not know it). */
  customer: string;
  /** The condition "the customer is `param`", when a better one than `customer = param` exists (an index elsewhere). */
  customerIs?: (param: string) => string;
  /** More columns its rows carry (the custom orchestrator's `version`). */
  extra?: string;
}

/** The WHERE clause of `filter` (and of `statuses`, when given) over a table with `columns`, with its params. */
const whereOf = (columns: SagaColumns, filter: SagaFilter, statuses: readonly SagaStatus[] | undefined) => {
  const params: unknown[] = [];
  const conds: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    conds.push(sql(`$${params.length}`));
  };
  if (statuses) add((p) => `status = ANY(${p}::text[])`, statuses);
  if (filter.step !== undefined) add((p) => `${columns.step} = ${p}`, filter.step);
  if (filter.id !== undefined) add((p) => `id = ${p}`, filter.id);
  if (filter.customerId !== undefined)
    add((p) => columns.customerIs?.(p) ?? `${columns.customer} = ${p}`, filter.customerId);
  if (filter.createdBefore !== undefined) add((p) => `created_at < ${p}`, new Date(filter.createdBefore));
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
};

const ORDER_BY: Record<SagaSort, string> = {
  oldest: 'created_at, id',
  newest: 'created_at DESC, id DESC',
  stuck: 'updated_at, id',
};

/**
 * One page of a coordinator's sagas table (`id`, `status`, `created_at`, `updated_at` and what
 * `columns` says) under the query's filters and order, the total, and the counts per status under
 * every filter but the status (one grouped count).
 */
export const pageOfSagas = async (
  db: Queryable,
  table: string,
  columns: SagaColumns,
  q: ListSagasQuery,
): Promise<SagaPage> => {
  const { page, pageSize, sort, status, ...rest } = q;
  const statuses: readonly SagaStatus[] | undefined = status
    ? [status]
    : sort === 'stuck'
      ? UNFINISHED_STATUSES
      : undefined;
  const list = whereOf(columns, rest, statuses);
  const { rows } = await db.query<{
    id: string;
    status: SagaStatus;
    currentStep: string | null;
    reason: string | null;
    customerId: string | null;
    createdAt: Date;
    updatedAt: Date;
  }>(
    `SELECT id, status, ${columns.step} AS "currentStep", ${columns.reason} AS reason, ${columns.customer} AS "customerId",
            created_at AS "createdAt", updated_at AS "updatedAt"${columns.extra ? `, ${columns.extra}` : ''}
     FROM ${table} ${list.where} ORDER BY ${ORDER_BY[sort]}
     LIMIT $${list.params.length + 1} OFFSET $${list.params.length + 2}`,
    [...list.params, pageSize, (page - 1) * pageSize],
  );
  const all = whereOf(columns, rest, undefined);
  const grouped = await db.query<{ status: SagaStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM ${table} ${all.where} GROUP BY status`,
    all.params,
  );
  const counts = Object.fromEntries(SAGA_STATUSES.map((s) => [s, 0])) as Record<SagaStatus, number>;
  for (const g of grouped.rows) counts[g.status] = g.n;
  return {
    items: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, updatedAt: iso(r.updatedAt) })),
    page,
    pageSize,
    total: (statuses ?? SAGA_STATUSES).reduce((n, s) => n + counts[s], 0),
    counts,
  };
};
