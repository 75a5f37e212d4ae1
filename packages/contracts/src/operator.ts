import { z } from 'zod';
import { SAGA_STATUSES, type SagaStatus as Status } from './saga.ts';

/**
 * The operator API every coordinator serves (`GET /sagas`, `GET /sagas/:id`,
 * `POST /sagas/:id/retry|compensate|resolve`): the harness's operator and the Saga Explorer use
 * only this, whatever drives the saga. Its vocabulary is saga.ts.
 */
export * from './saga.ts';
export const SagaStatus = z.enum(SAGA_STATUSES);
export type SagaStatus = Status;

/** Query of a paged list, optionally filtered by status. */
export const pageQuery = <const S extends readonly [string, ...string[]]>(statuses: S, defaultSize: number, maxSize: number) =>
  z
    .object({
      status: z.enum(statuses).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
      pageSize: z.coerce.number().int().min(1).max(maxSize).default(defaultSize),
    })
    .strict();

export const ListSagasQuery = pageQuery(SAGA_STATUSES, 50, 200);
export type ListSagasQuery = z.infer<typeof ListSagasQuery>;

/** One saga in a list. `updatedAt` is null where the coordinator's index does not keep it (Temporal's visibility). */
export const SagaSummary = z.object({
  id: z.string(),
  status: SagaStatus,
  currentStep: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime().nullable(),
});
export type SagaSummary = z.infer<typeof SagaSummary>;

export const SagaPage = z.object({ items: z.array(SagaSummary), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() });
export type SagaPage = z.infer<typeof SagaPage>;

export const OperatorBody = z.object({ note: z.string().max(2000).optional() }).strict();

/** What an operator action left: the saga's status and step once the coordinator took it. */
export const OperatorOutcome = z.object({ id: z.string(), status: SagaStatus, currentStep: z.string().nullable() });
export type OperatorOutcome = z.infer<typeof OperatorOutcome>;
