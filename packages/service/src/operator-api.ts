import type { Router } from 'express';
import { ListSagasQuery, OPERATOR_ACTIONS, OperatorBody, type OperatorAction, type OperatorOutcome, type SagaPage } from '@saga/contracts';
import { HttpError } from '@saga/http';
import { parseOr400, requireToken } from './routes.ts';

/** What an operator action came to: done (with the saga's new status), refused (why), or no such saga. */
export type Operated = { outcome: OperatorOutcome } | { refused: string } | undefined;

/** What a coordinator provides so that it serves the operator API; the HTTP edge is the same for all. */
export interface SagaOperator {
  list(q: ListSagasQuery): Promise<SagaPage>;
  /** One saga's view with its history; undefined when there is no such saga. */
  get(id: string): Promise<object | undefined>;
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
