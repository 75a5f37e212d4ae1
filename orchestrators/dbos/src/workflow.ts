import { DBOS } from '@dbos-inc/dbos-sdk';
import { commandEnvelope } from '@saga/contracts';
import { operatorRefusal, type SagaStatus } from '@saga/contracts/saga';
import {
  backoffAfter,
  compensationReason,
  orderSagaCommands,
  stepBudgets,
  type StepBudget,
  type StepCommand,
  type StepEnd,
} from '@saga/service';
import {
  INBOX,
  operatedKey,
  PIVOT_STEP,
  STATUS_STEP,
  type InboxMessage,
  type OperatedAnswer,
  type OrderSagaInput,
  type SagaIO,
  type SagaRow,
} from './shared.ts';

/** Stops going forward: the saga compensates, for this reason. */
class Compensate extends Error {}

const WORKFLOW_NAME = 'orderSaga';

/**
 * Registers the order saga as a DBOS workflow over `io` (before `DBOS.launch`). The same steps,
 * rules, budgets and deadline as the custom definition (orchestrators/custom/src/order-saga.ts):
 * ReserveStock → AuthorizePayment → ApproveOrder (pivot) → CommitStock → SendNotification; a
 * compensation is owed once its step succeeded or may have acted, and they run in reverse; one
 * that keeps failing parks the saga as NEEDS_ATTENTION until an operator retries or resolves it.
 *
 * Each attempt is a step of its own and the retries are the workflow's (ADR 0019): DBOS's own step
 * retries cannot be cut short by the saga's deadline or an operator's compensate. Replies (Kafka)
 * and operator actions come as messages on one topic; waiting for them is `DBOS.recv`, durable
 * like a step, so a recovered workflow waits out the same time.
 */
export const registerOrderSaga = (io: SagaIO) =>
  DBOS.registerWorkflow(
    async (input: OrderSagaInput): Promise<SagaStatus> => {
      const { orderId, timing } = input;
      const row: SagaRow = {
        id: orderId,
        status: 'RUNNING',
        step: null,
        reason: null,
        pastPivot: false,
        deadlineAt: 0,
        customerId: input.customerId,
      };
      /** An operator's request answered once the saga has taken it (at its next status). */
      let answerTo: string | undefined;
      let compensateAsked = false;
      let decision: 'retry' | 'resolve' | undefined;
      const answered = new Set<string>();

      const record = async (status: SagaStatus) => {
        row.status = status;
        const written = { ...row };
        await DBOS.runStep(() => io.record(written).then(() => written), { name: STATUS_STEP });
        if (answerTo) await answer(answerTo, {});
        answerTo = undefined;
      };
      const answer = (requestId: string, a: Partial<OperatedAnswer>) =>
        DBOS.setEvent<OperatedAnswer>(operatedKey(requestId), { status: row.status, step: row.step, ...a });

      /** Takes an operator's message; true when the saga stops what it waits for (a compensate before the pivot). */
      const heard = async (m: Extract<InboxMessage, { type: 'operator' }>): Promise<boolean> => {
        if (answered.has(m.requestId)) return false; // its compensate was taken at the pivot
        answered.add(m.requestId);
        const refused =
          operatorRefusal(m.action, row.status, row.pastPivot, 'DBOS') ??
          (m.action === 'compensate' && compensateAsked ? 'a compensate is already under way' : undefined);
        if (refused) {
          await answer(m.requestId, { refused });
          return false;
        }
        answerTo = m.requestId;
        if (m.action === 'compensate') return (compensateAsked = true);
        decision = m.action;
        return false;
      };

      /** Waits until `until` (epoch ms) for the reply to `commandId`, hearing operators meanwhile. */
      const waitReply = async (commandId: string, until: number, forward: boolean) => {
        for (;;) {
          const m = await DBOS.recv<InboxMessage>(INBOX, { deadlineEpochMS: until });
          if (!m) return undefined;
          if (m.type === 'reply') {
            if (m.commandId === commandId)
              return { kind: 'answer' as const, outcome: m.outcome, ...(m.reason ? { reason: m.reason } : {}) };
            continue; // a late or duplicate reply to another step: ignored (the timeline shows it)
          }
          if ((await heard(m)) && forward) return undefined;
        }
      };

      /**
       * Runs one step to its end. Before the pivot (`forward`) its attempts are bounded, and the
       * deadline and an operator's compensate end it; after, it is tried until it is answered.
       */
      const run = async (c: StepCommand, budget: StepBudget, forward: boolean): Promise<StepEnd> => {
        row.step = c.action;
        const commandId = `${orderId}:${c.action}`;
        const deadlineAt = row.deadlineAt;
        const end = (kind: 'gave-up' | 'deadline' | 'cancelled', tried = true): StepEnd => ({ kind, tried });
        for (let attempt = 1; ; attempt++) {
          if (forward && compensateAsked) return end('cancelled', attempt > 1);
          const out = await DBOS.runStep(
            () => {
              const now = Date.now();
              if (forward && now >= deadlineAt) return Promise.resolve({ kind: 'expired' as const });
              const command = commandEnvelope({ commandId, sagaId: orderId, ...c }, new Date(now));
              return io.attempt(
                command,
                forward ? Math.min(timing.stepTimeoutMs, deadlineAt - now) : timing.stepTimeoutMs,
              );
            },
            { name: c.action },
          );
          if (out.kind === 'expired') return end('deadline', attempt > 1);
          if (out.kind === 'answer') return out;
          let ended = out.at;
          if (out.kind === 'sent') {
            ended = forward ? Math.min(out.at + timing.stepTimeoutMs, deadlineAt) : out.at + timing.stepTimeoutMs;
            const reply = await waitReply(commandId, ended, forward);
            if (reply) return reply;
          }
          if (forward && compensateAsked) return end('cancelled');
          if (forward && ended >= deadlineAt) return end('deadline');
          if (attempt >= budget.attempts) return end('gave-up');
          // Back off, hearing the inbox: a late reply to this command is its answer (the service
          // answers every attempt alike), an operator's compensate ends the wait.
          const backoff = backoffAfter(attempt, budget);
          const reply = await waitReply(
            commandId,
            forward ? Math.min(ended + backoff, deadlineAt) : ended + backoff,
            forward,
          );
          if (reply) return reply;
        }
      };

      const { bounded, untilDone, compensating } = stepBudgets(timing);
      const commands = orderSagaCommands(input);
      const compensations: StepCommand[] = [];

      // The row of the list, and the deadline, fixed once (the step's output on recovery).
      row.deadlineAt = await DBOS.runStep(
        async () => {
          const first = { ...row, deadlineAt: Date.now() + timing.deadlineMs };
          await io.record(first);
          return first.deadlineAt;
        },
        { name: STATUS_STEP },
      );
      try {
        for (const { step, undo } of commands.beforePivot) {
          // Its undo is owed once it succeeded or may have acted; anything but success compensates.
          const e = await run(step, bounded, true);
          if (e.kind === 'answer' ? e.outcome === 'SUCCESS' : e.tried) compensations.unshift(undo);
          if (e.kind !== 'answer' || e.outcome !== 'SUCCESS') throw new Compensate(compensationReason(e, step.action));
        }
        // The pivot, taken in the saga's row unless an operator's compensate got there first (the
        // operator API asks in the same row: one of the two wins, whatever the transport heard).
        const asked = compensateAsked ? 'heard' : await DBOS.runStep(() => io.pivot(orderId), { name: PIVOT_STEP });
        if (asked) {
          if (asked !== 'heard' && !answered.has(asked)) answerTo = asked;
          if (asked !== 'heard') answered.add(asked);
          throw new Compensate('OPERATOR_COMPENSATED');
        }
        row.pastPivot = true;
        row.step = 'approveOrder';
        const approved = await run(commands.pivot, untilDone, false);
        if (approved.kind === 'answer' && approved.outcome === 'FAILURE')
          throw new Compensate(approved.reason ?? 'FAILURE');
      } catch (err) {
        if (!(err instanceof Compensate)) throw err;
        row.reason = err.message;
        return rollBack();
      }
      for (const c of commands.afterPivot) await run(c, untilDone, false);
      row.step = null;
      await record('COMPLETED');
      return 'COMPLETED';

      async function rollBack(): Promise<SagaStatus> {
        await record('COMPENSATING');
        const why = row.reason;
        for (const c of compensations) {
          for (;;) {
            const end = await run(c, compensating, false);
            if (end.kind === 'answer' && end.outcome === 'SUCCESS') break;
            row.reason = `${c.action} ${end.kind === 'answer' ? `refused: ${end.reason ?? 'FAILURE'}` : 'gave no answer'}`;
            await record('NEEDS_ATTENTION');
            decision = undefined;
            while (!decision) {
              const m = await DBOS.recv<InboxMessage>(INBOX, { timeoutSeconds: 3600 });
              if (m?.type === 'operator') await heard(m);
            }
            row.reason = why;
            if (decision === 'resolve') {
              await record('RESOLVED');
              return 'RESOLVED';
            }
            await record('COMPENSATING');
          }
        }
        for (const c of commands.rejection(why ?? 'REJECTED')) await run(c, untilDone, false);
        row.step = null;
        await record('REJECTED');
        return 'REJECTED';
      }
    },
    { name: WORKFLOW_NAME },
  );
