import { randomUUID } from 'node:crypto';
import { operatorRefusal, timelineOf, type SagaStatus } from '@saga/contracts';
import type { Pool } from '@saga/postgres';
import { DURABLE_SAGA_COLUMNS, iso, pageOfSagas, type Operated, type SagaOperator } from '@saga/service';
import type { OperatedAnswer, OperatorRequest, SagaState } from './shared.ts';

interface Row {
  status: SagaStatus;
  current_step: string | null;
  reason: string | null;
  past_pivot: boolean;
  deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The workflow's shared handlers, as the coordinator calls them through Restate's ingress. */
export interface SagaHandlers {
  describe(id: string): Promise<SagaState | null>;
  operate(id: string, req: OperatorRequest): Promise<OperatedAnswer>;
}

/**
 * The Restate coordinator's side of the operator API (`operatorApi` in @saga/service serves it):
 * the list from the sagas' rows, one saga's timeline from the workflow's own state (`describe`),
 * and an action through its `operate` handler — taken, or refused with the reason.
 */
export const restateOperator = (pool: Pool, saga: SagaHandlers, links: { ui: string }): SagaOperator => {
  const rowOf = async (id: string) =>
    (await pool.query<Row>('SELECT * FROM restate_sagas WHERE id = $1', [id])).rows[0];
  return {
    list: (q) => pageOfSagas(pool, 'restate_sagas', DURABLE_SAGA_COLUMNS, q),

    async get(id) {
      const r = await rowOf(id);
      if (!r) return undefined;
      const state = await saga.describe(id);
      return timelineOf(
        {
          id,
          status: r.status,
          reason: r.reason,
          currentStep: r.current_step,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at),
          deadlineAt: iso(r.deadline_at),
          nextTimerAt: state?.nextTimerAt ? new Date(state.nextTimerAt).toISOString() : null,
          coordinator: {
            pastPivot: r.past_pivot,
            parkedOn: state?.parked ?? null,
            // Restate's UI shows the invocation's journal (its steps, timers and promises).
            ui: links.ui,
          },
        },
        state?.history ?? [],
      );
    },

    async operate(id, action, note): Promise<Operated> {
      const r = await rowOf(id);
      if (!r) return undefined;
      const refused = operatorRefusal(action, r.status, r.past_pivot, 'Restate');
      if (refused) return { refused };
      const answer = await saga.operate(id, {
        action,
        requestId: randomUUID(),
        at: Date.now(),
        ...(note ? { note } : {}),
      });
      if ('missing' in answer) return undefined;
      if ('refused' in answer) return { refused: answer.refused };
      return { outcome: { id, status: answer.status, currentStep: answer.step } };
    },
  };
};
