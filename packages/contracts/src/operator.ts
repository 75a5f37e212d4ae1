import { z } from 'zod';
import {
  HISTORY_KINDS,
  SAGA_SORTS,
  SAGA_STATUSES,
  type HistoryLine,
  type MessageRoute,
  type SagaStatus as Status,
} from './saga.ts';
import type { TimelineStepView } from './timeline.ts';

/**
 * The operator API every coordinator serves (`GET /sagas`, `GET /sagas/:id`,
 * `POST /sagas/:id/retry|compensate|resolve`): the harness's operator and the Saga Explorer use
 * only this, whatever drives the saga. Its vocabulary is saga.ts.
 */
export * from './saga.ts';
export * from './timeline.ts';
export const SagaStatus = z.enum(SAGA_STATUSES);
export type SagaStatus = Status;

/** Query of a paged list, optionally filtered by status. */
export const pageQuery = <const S extends readonly [string, ...string[]]>(
  statuses: S,
  defaultSize: number,
  maxSize: number,
) =>
  z
    .object({
      status: z.enum(statuses).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      pageSize: z.coerce.number().int().min(1).max(maxSize).default(defaultSize),
    })
    .strict();

const filterText = z.string().min(1).max(200);

/**
 * `GET /sagas`: a page, filtered by status, current step, saga (order) id, customer id and age
 * (`createdBefore`: only sagas started before that time), in a `sort` order. A coordinator whose
 * index cannot filter by one of them answers 400 naming it (Temporal's visibility keeps no step).
 */
export const ListSagasQuery = pageQuery(SAGA_STATUSES, 50, 200).extend({
  step: filterText.optional(),
  id: filterText.optional(),
  customerId: filterText.optional(),
  createdBefore: z.iso.datetime().optional(),
  sort: z.enum(SAGA_SORTS).default('oldest'),
});
export type ListSagasQuery = z.infer<typeof ListSagasQuery>;
/** The filters of a list query (all but the page, its size and the order). */
export type SagaFilter = Omit<ListSagasQuery, 'page' | 'pageSize' | 'sort'>;

/** One saga in a list. `updatedAt` is null where the coordinator's index does not keep it (Temporal's visibility: its close time). */
export const SagaSummary = z.object({
  id: z.string(),
  status: SagaStatus,
  currentStep: z.string().nullable(),
  reason: z.string().nullable(),
  /** The order's customer; null where the coordinator's index does not keep it (a saga listed before it did). */
  customerId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime().nullable(),
});
export type SagaSummary = z.infer<typeof SagaSummary>;

/**
 * A page of sagas, the total that match the query, and `counts`: how many match every filter but
 * the status, per status (what a list's status tabs show).
 */
export const SagaPage = z.object({
  items: z.array(SagaSummary),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  counts: z.record(SagaStatus, z.number().int()),
});
export type SagaPage = z.infer<typeof SagaPage>;

export const OperatorBody = z.object({ note: z.string().max(2000).optional() }).strict();

/** What an operator action left: the saga's status and step once the coordinator took it. */
export const OperatorOutcome = z.object({ id: z.string(), status: SagaStatus, currentStep: z.string().nullable() });
export type OperatorOutcome = z.infer<typeof OperatorOutcome>;

const at = z.iso.datetime();

export const MessageRouteSchema = z.object({
  transport: z.enum(['outbox', 'kafka', 'http']),
  to: z.string(),
  partition: z.number().int().nullable(),
  offset: z.string().nullable(),
}) satisfies z.ZodType<MessageRoute>;

/** One typed history entry (saga.ts `HistoryLine`). */
export const HistoryEntry = z.object({
  at,
  kind: z.enum(HISTORY_KINDS),
  step: z.string().nullable(),
  attempt: z.number().int().nullable(),
  status: SagaStatus.nullable(),
  detail: z.string().nullable(),
  commandId: z.string().nullable(),
  messageId: z.string().nullable(),
  via: MessageRouteSchema.nullable().optional(),
}) satisfies z.ZodType<HistoryLine>;

export const TimelineStep = z.object({
  step: z.string(),
  kind: z.enum(['step', 'undo']),
  state: z.enum(['running', 'succeeded', 'refused', 'gave-up', 'cancelled']),
  attempts: z.number().int().nullable(),
  startedAt: at.nullable(),
  finishedAt: at.nullable(),
  detail: z.string().nullable(),
}) satisfies z.ZodType<TimelineStepView>;

/**
 * `GET /sagas/:id` of every coordinator (`timelineOf` builds it from the coordinator's typed
 * history): the saga's head, its steps with attempts and timings, what its compensation did and
 * still owes, the pending steps with their next timer, the history itself, and under
 * `coordinator` what only that coordinator keeps.
 */
export const SagaTimeline = z.object({
  id: z.string(),
  status: SagaStatus,
  reason: z.string().nullable(),
  currentStep: z.string().nullable(),
  createdAt: at,
  updatedAt: at.nullable(),
  deadlineAt: at.nullable(),
  steps: z.array(TimelineStep),
  compensation: z.object({ started: z.boolean(), done: z.array(z.string()), owed: z.array(z.string()) }),
  pending: z.array(
    z.object({
      step: z.string(),
      attempts: z.number().int().nullable(),
      since: at.nullable(),
      nextTimerAt: at.nullable(),
    }),
  ),
  history: z.array(HistoryEntry),
  coordinator: z.record(z.string(), z.unknown()),
});
export type SagaTimeline = z.infer<typeof SagaTimeline>;
