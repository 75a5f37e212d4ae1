import { z } from 'zod';
import {
  ListSagasQuery,
  OPERATOR_ACTIONS,
  OperatorBody,
  OperatorOutcome,
  SagaPage,
  SagaSummary,
  SagaTimeline,
  type OperatorAction,
} from '@saga/contracts';
import { bearer, commonRoutes, error, json, route, Timestamp, unauthorized, type DocSpec } from './parts.ts';

const CustomSagaRow = SagaSummary.extend({ version: z.number().int(), updatedAt: Timestamp });
const Id = z.object({ id: z.string() });

/**
 * The operator API every coordinator serves (contracts `operator.ts`, `operatorApi` in @saga/service):
 * the same list, timeline (`GET /sagas/{id}`: contracts `SagaTimeline`), actions and errors.
 */
const operatorRoutes = (
  r: Parameters<DocSpec['routes']>[0],
  listRow: z.ZodType,
  summary: Record<OperatorAction, string>,
) => {
  route(r, {
    method: 'get',
    path: '/sagas',
    summary:
      'Sagas, paged, filtered by status, current step, id, customer and age, in an order (oldest, newest, stuck longest first), with the total and the counts per status (a filter the coordinator cannot apply is a 400 naming it)',
    request: { query: ListSagasQuery },
    responses: {
      200: {
        description: 'one page',
        ...json(
          z.object({
            items: z.array(listRow),
            page: z.number().int(),
            pageSize: z.number().int(),
            total: z.number().int(),
            counts: SagaPage.shape.counts,
          }),
        ),
      },
    },
  });
  route(r, {
    method: 'get',
    path: '/sagas/{id}',
    summary:
      'One saga: its steps with attempts and timings, its compensation, its pending steps and next timer, and its typed history',
    request: { params: Id },
    responses: { 200: { description: 'the saga', ...json(SagaTimeline) }, 404: error('no such saga') },
  });
  for (const action of OPERATOR_ACTIONS) {
    route(r, {
      method: 'post',
      path: `/sagas/{id}/${action}`,
      summary: summary[action],
      security: bearer,
      request: { params: Id, body: { required: false, ...json(OperatorBody) } },
      responses: {
        200: { description: 'taken', ...json(OperatorOutcome) },
        404: error('no such saga'),
        409: error('the action does not fit the saga now (the reason says why)'),
        ...unauthorized,
      },
    });
  }
  commonRoutes(r);
};

/** The coordinators' own HTTP APIs (inspection and operator actions). */
export const coordinatorDocs: Record<string, DocSpec> = {
  'orchestrator-custom': {
    title: 'Custom orchestrator: inspection and operator API',
    port: 3010,
    routes: (r) =>
      operatorRoutes(r, CustomSagaRow, {
        retry: 're-send the current step (a fresh budget when parked)',
        compensate: 'compensate now, the step in flight included (before the pivot only)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
  'orchestrator-temporal': {
    title: 'Temporal coordinator: inspection and operator API (visibility, the status query, the operate update)',
    port: 3011,
    routes: (r) =>
      operatorRoutes(r, SagaSummary, {
        retry:
          'retry the step a parked (NEEDS_ATTENTION) saga waits on, with a fresh budget (Temporal retries a step in flight itself)',
        compensate: 'compensate now, the step in flight included (before the pivot only)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
  'orchestrator-dbos': {
    title:
      "DBOS coordinator: inspection and operator API (the sagas' rows, the workflow's recorded steps, its messages)",
    port: 3012,
    routes: (r) =>
      operatorRoutes(r, SagaSummary, {
        retry:
          'retry the step a parked (NEEDS_ATTENTION) saga waits on, with a fresh budget (the workflow retries a step in flight itself)',
        compensate:
          'compensate now, the step in flight included (before the pivot only; over HTTP taken when the attempt in flight ends)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
  'orchestrator-restate': {
    title:
      "Restate coordinator: inspection and operator API (the sagas' rows, the workflow's own state, its durable promises)",
    port: 3013,
    routes: (r) =>
      operatorRoutes(r, SagaSummary, {
        retry:
          'retry the step a parked (NEEDS_ATTENTION) saga waits on, with a fresh budget (resolves its decision promise)',
        compensate:
          'compensate now, the step in flight included (before the pivot only: one durable promise decides which came first; over HTTP taken when the attempt in flight ends)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
  'order-choreography': {
    title:
      'Order service under ORCHESTRATOR=choreography: the operator API over its saga view (ADR 0018); the order API is order.json',
    port: 3001,
    routes: (r) =>
      operatorRoutes(r, SagaSummary, {
        retry: 'publish again the event each pending step reacts to (a parked saga carries on)',
        compensate: 'reject the order now, so the services undo what they did (before the pivot only)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
};
