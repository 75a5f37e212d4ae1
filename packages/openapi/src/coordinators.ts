import { z } from 'zod';
import { ListSagasQuery, OPERATOR_ACTIONS, OperatorBody, OperatorOutcome, SagaStatus, SagaSummary, type OperatorAction } from '@saga/contracts';
import { bearer, commonRoutes, error, json, route, Timestamp, unauthorized, type DocSpec } from './parts.ts';

const nullableTime = Timestamp.nullable();
const CustomSagaRow = SagaSummary.extend({ version: z.number().int(), updatedAt: Timestamp });
const CustomSaga = CustomSagaRow.extend({
  definition: z.string(),
  data: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
  deadlineAt: nullableTime,
  wakeAt: nullableTime,
  history: z.array(
    z.object({
      at: Timestamp,
      cause: z.string(),
      fromStatus: SagaStatus.nullable(),
      toStatus: SagaStatus,
      step: z.string().nullable(),
      commandId: z.string().nullable(),
      replyId: z.string().nullable(),
      detail: z.string().nullable(),
      instance: z.string().nullable(),
    }),
  ),
});
const Id = z.object({ id: z.string() });

/**
 * The operator API every coordinator serves (contracts `operator.ts`, `operatorApi` in @saga/service):
 * the same list, actions and errors; the timeline (`GET /sagas/{id}`) is each coordinator's own for now.
 */
const operatorRoutes = (r: Parameters<DocSpec['routes']>[0], listRow: z.ZodType, timeline: z.ZodType, summary: Record<OperatorAction, string>) => {
  route(r, {
    method: 'get',
    path: '/sagas',
    summary: 'Sagas, paged, optionally by status, with the total',
    request: { query: ListSagasQuery },
    responses: { 200: { description: 'one page', ...json(z.object({ items: z.array(listRow), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })) } },
  });
  route(r, {
    method: 'get',
    path: '/sagas/{id}',
    summary: 'One saga: its state and what happened, step by step',
    request: { params: Id },
    responses: { 200: { description: 'the saga', ...json(timeline) }, 404: error('no such saga') },
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
      operatorRoutes(r, CustomSagaRow, CustomSaga, {
        retry: 're-send the current step (a fresh budget when parked)',
        compensate: 'compensate now, the step in flight included (before the pivot only)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
  'orchestrator-temporal': {
    title: 'Temporal coordinator: inspection and operator API (visibility, the status query, the operate update)',
    port: 3011,
    routes: (r) =>
      operatorRoutes(r, SagaSummary, z.object({ id: z.string(), status: SagaStatus, step: z.string().nullable(), reason: z.string().nullable(), history: z.array(z.object({ cause: z.string() })) }), {
        retry: 'retry the step a parked (NEEDS_ATTENTION) saga waits on, with a fresh budget (Temporal retries a step in flight itself)',
        compensate: 'compensate now, the step in flight included (before the pivot only)',
        resolve: 'close a NEEDS_ATTENTION saga by hand, with a note',
      }),
  },
};
