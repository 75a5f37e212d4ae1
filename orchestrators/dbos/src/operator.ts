import { randomUUID } from 'node:crypto';
import { DBOS } from '@dbos-inc/dbos-sdk';
import { operatorRefusal, timelineOf, type SagaStatus } from '@saga/contracts';
import type { Pool } from '@saga/postgres';
import { DURABLE_SAGA_COLUMNS, iso, pageOfSagas, type Operated, type SagaOperator } from '@saga/service';
import { historyOf } from './history.ts';
import { askCompensate } from './io.ts';
import { INBOX, operatedKey, type InboxMessage, type OperatedAnswer } from './shared.ts';

/** How long an operator's request waits for the workflow to take it (it waits at its next step's end at most). */
const ANSWER_WITHIN_S = 30;

interface Row {
  status: SagaStatus;
  current_step: string | null;
  reason: string | null;
  past_pivot: boolean;
  deadline_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The DBOS coordinator's side of the operator API (`operatorApi` in @saga/service serves it): the
 * list from the sagas' rows, one saga's timeline from what DBOS recorded of its workflow, and an
 * action as a message to the workflow, answered by the event it sets once it took it (or refused it).
 */
export const dbosOperator = (pool: Pool): SagaOperator => {
  const rowOf = async (id: string) => (await pool.query<Row>('SELECT * FROM dbos_sagas WHERE id = $1', [id])).rows[0];
  return {
    list: (q) => pageOfSagas(pool, 'dbos_sagas', DURABLE_SAGA_COLUMNS, q),

    async get(id) {
      const r = await rowOf(id);
      if (!r) return undefined;
      const [recorded, workflow] = await Promise.all([DBOS.listWorkflowSteps(id), DBOS.getWorkflowStatus(id)]);
      const steps = recorded ?? [];
      // A wait in progress: DBOS records its deadline (a `DBOS.sleep` under the next function id)
      // before the `recv` itself, which is recorded when the wait ends.
      const last = steps.at(-1);
      const waiting =
        last?.name === 'DBOS.sleep' &&
        typeof last.output === 'number' &&
        steps.at(-2)?.functionID !== last.functionID - 1;
      const next = waiting ? last.output : null;
      return timelineOf(
        {
          id,
          status: r.status,
          reason: r.reason,
          currentStep: r.current_step,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at),
          deadlineAt: iso(r.deadline_at),
          nextTimerAt: next === null ? null : new Date(next).toISOString(),
          coordinator: {
            workflowStatus: workflow?.status ?? null,
            executorId: workflow?.executorId ?? null,
            recordedSteps: steps.length,
            pastPivot: r.past_pivot,
          },
        },
        historyOf(id, iso(r.created_at)!, steps),
      );
    },

    async operate(id, action, note): Promise<Operated> {
      const r = await rowOf(id);
      if (!r) return undefined;
      const refused = operatorRefusal(action, r.status, r.past_pivot, 'DBOS');
      if (refused) return { refused };
      const requestId = randomUUID();
      // A compensate races the pivot in the saga's row: one of the two wins.
      if (action === 'compensate' && !(await askCompensate(pool, id, requestId))) {
        const now = (await rowOf(id))!;
        return {
          refused: operatorRefusal(action, now.status, now.past_pivot, 'DBOS') ?? 'a compensate is already under way',
        };
      }
      const message: InboxMessage = { type: 'operator', action, requestId, ...(note ? { note } : {}) };
      await DBOS.send(id, message, INBOX, requestId);
      const answer = await DBOS.getEvent<OperatedAnswer>(id, operatedKey(requestId), {
        timeoutSeconds: ANSWER_WITHIN_S,
      });
      if (answer?.refused) return { refused: answer.refused };
      const now = answer ?? { status: (await rowOf(id))!.status, step: null };
      return { outcome: { id, status: now.status, currentStep: now.step } };
    },
  };
};
