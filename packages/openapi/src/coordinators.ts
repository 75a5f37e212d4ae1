import { z } from 'zod';
import { ListSagasQuery, OperatorBody, SAGA_STATUSES } from '@saga/orchestrator-custom/api';
import { bearer, commonRoutes, error, json, route, Timestamp, unauthorized, type DocSpec } from './parts.ts';

const SagaStatus = z.enum(SAGA_STATUSES);
const nullableTime = Timestamp.nullable();
const CustomSagaRow = z.object({
  id: z.string(),
  status: SagaStatus,
  currentStep: z.string().nullable(),
  reason: z.string().nullable(),
  version: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
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

/** The coordinators' own HTTP APIs (inspection and operator actions). */
export const coordinatorDocs: Record<string, DocSpec> = {
  'orchestrator-custom': {
    title: 'Custom orchestrator: inspection and operator API',
    port: 3010,
    routes: (r) => {
      route(r, {
        method: 'get',
        path: '/sagas',
        summary: 'Sagas, paged, optionally by status, with the total',
        request: { query: ListSagasQuery },
        responses: { 200: { description: 'one page', ...json(z.object({ items: z.array(CustomSagaRow), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })) } },
      });
      route(r, {
        method: 'get',
        path: '/sagas/{id}',
        summary: 'One saga: state, data, timer, deadline and every transition',
        request: { params: Id },
        responses: { 200: { description: 'the saga', ...json(CustomSaga) }, 404: error('no such saga') },
      });
      for (const action of ['retry', 'compensate', 'resolve'] as const) {
        route(r, {
          method: 'post',
          path: `/sagas/{id}/${action}`,
          summary: { retry: 're-send the current step (a fresh budget when parked)', compensate: 'compensate now (before the pivot only)', resolve: 'close a NEEDS_ATTENTION saga by hand, with a note' }[action],
          security: bearer,
          request: { params: Id, body: { required: false, ...json(OperatorBody) } },
          responses: {
            200: { description: 'done', ...json(z.object({ id: z.string(), status: SagaStatus, currentStep: z.string().nullable() })) },
            404: error('no such saga'),
            409: error('the action does not fit the saga now (the reason says why)'),
            ...unauthorized,
          },
        });
      }
      commonRoutes(r);
    },
  },
  'orchestrator-temporal': {
    title: 'Temporal coordinator: saga view',
    port: 3011,
    routes: (r) => {
      route(r, {
        method: 'get',
        path: '/sagas/{id}',
        summary: "One saga: the workflow's status query (step, reason, history)",
        request: { params: Id },
        responses: {
          200: {
            description: 'the saga',
            ...json(z.object({ id: z.string(), status: SagaStatus, step: z.string().nullable(), reason: z.string().nullable(), history: z.array(z.object({ cause: z.string() })) })),
          },
          404: error('no such saga (no workflow with that id)'),
        },
      });
      commonRoutes(r);
    },
  },
};
