import * as restate from '@restatedev/restate-sdk';
import { commandEnvelope, type HistoryLine } from '@saga/contracts';
import { operatorRefusal, type SagaStatus } from '@saga/contracts/saga';
import {
  backoffAfter,
  compensationReason,
  orderSagaCommands,
  stepBudgets,
  type SagaRow,
  type StepBudget,
  type StepCommand,
  type StepEnd,
} from '@saga/service';
import {
  COMPENSATE,
  decisionPromise,
  PIVOT,
  replyPromise,
  STATE,
  type OperatedAnswer,
  type OperatorRequest,
  type OrderSagaInput,
  type ReplyMessage,
  type SagaIO,
  type SagaState,
} from './shared.ts';

/** Stops going forward: the saga compensates, for this reason. */
class Compensate extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The order saga as a Restate workflow (ADR 0020) named `name`, keyed by the order id: the same steps, rules,
 * budgets and deadline as the custom definition (orchestrators/custom/src/order-saga.ts). Each
 * attempt is a journaled `ctx.run`; retries, backoff and the deadline are the workflow's (durable
 * timers), so the deadline and an operator can cut them short. Replies (Kafka) and operator
 * actions arrive through the shared handlers as durable promises. Its state (`saga`) holds the row,
 * the typed history and the next timer: the operator API reads it through `describe`.
 */
export const orderSagaWorkflow = (io: SagaIO, name = 'orderSaga') =>
  restate.workflow({
    name,
    handlers: {
      run: async (ctx: restate.WorkflowContext, input: OrderSagaInput): Promise<SagaStatus> => {
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
        const state: SagaState = { row, createdAt: 0, history: [], nextTimerAt: null, parked: null };
        const save = () => ctx.set<SagaState>(STATE, state);
        const push = (kind: HistoryLine['kind'], at: number, f: Partial<HistoryLine> = {}) =>
          state.history.push({
            at: iso(at),
            kind,
            step: null,
            attempt: null,
            status: row.status,
            detail: null,
            commandId: null,
            messageId: null,
            ...f,
          });
        const compensate = ctx.promise<string>(COMPENSATE);
        /** An operator's compensate (its request id), heard while going forward. */
        const compensateAsked = compensate.get();
        let compensateHeard = false;

        const record = async (status: SagaStatus) => {
          row.status = status;
          const written = { ...row };
          const at = await ctx.run('status', () => io.record(written).then(() => Date.now()));
          push('status', at, { step: row.step, detail: `saga ${status.toLowerCase()}` });
          save();
        };

        /**
         * Waits `ms` for the reply `replied` gives (and, going forward, an operator's compensate):
         * the reply, 'compensate', or undefined when the time is up.
         */
        const waitReply = async (
          replied: () => restate.RestatePromise<ReplyMessage>,
          ms: number,
          until: number,
          forward: boolean,
        ) => {
          state.nextTimerAt = until;
          save();
          const reply = replied();
          const timer = ctx.sleep(Math.max(0, ms)).map(() => undefined);
          const won = await restate.RestatePromise.race(
            forward && !compensateHeard
              ? [reply, timer, compensateAsked.map((requestId) => ({ compensate: requestId! }))]
              : [reply, timer],
          );
          state.nextTimerAt = null;
          if (won && 'compensate' in won) {
            compensateHeard = true;
            push('operator', until - ms, { step: row.step, detail: 'compensate (before the pivot)' });
            return 'compensate' as const;
          }
          return won;
        };

        /**
         * Runs one step to its end. Before the pivot (`forward`) its attempts are bounded, and the
         * deadline and an operator's compensate end it; after, it is tried until it is answered.
         */
        const run = async (c: StepCommand, budget: StepBudget, forward: boolean): Promise<StepEnd> => {
          row.step = c.action;
          // Over Kafka the reply completes either an awakeable (its id is the command id) or the step's durable promise.
          const awake = input.replies === 'awakeable' ? ctx.awakeable<ReplyMessage>() : undefined;
          const commandId = awake?.id ?? `${orderId}:${c.action}`;
          const replied = () => awake?.promise ?? ctx.promise<ReplyMessage>(replyPromise(commandId)).get();
          const { deadlineAt } = row;
          const line = (attempt: number, f: Partial<HistoryLine>) => ({ step: c.action, attempt, commandId, ...f });
          const end = (kind: 'gave-up' | 'deadline' | 'cancelled', attempt: number, at: number, detail?: string) => {
            if (attempt > 0)
              push(kind === 'deadline' ? 'cancelled' : kind, at, line(attempt, { detail: detail ?? kind }));
            if (kind === 'deadline') push('deadline', at, { step: c.action });
            return { kind, tried: attempt > 0 } as const;
          };
          const answered = (
            r: { outcome: 'SUCCESS' | 'FAILURE'; reason?: string },
            attempt: number,
            at: number,
            reply?: Pick<ReplyMessage, 'messageId' | 'via'>,
          ) => {
            const detail = r.outcome === 'SUCCESS' ? null : (r.reason ?? 'FAILURE');
            push(
              r.outcome === 'SUCCESS' ? 'succeeded' : 'refused',
              at,
              line(attempt, { detail, messageId: reply?.messageId ?? null, via: reply?.via ?? null }),
            );
            return { kind: 'answer' as const, outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}) };
          };
          for (let attempt = 1; ; attempt++) {
            const out = await ctx.run(c.action, async () => {
              const now = Date.now();
              if (forward && now >= deadlineAt) return { kind: 'expired' as const, startedAt: now };
              const command = commandEnvelope({ commandId, sagaId: orderId, ...c }, new Date(now));
              const timeout = forward ? Math.min(timing.stepTimeoutMs, deadlineAt - now) : timing.stepTimeoutMs;
              return { ...(await io.attempt(command, timeout)), startedAt: now };
            });
            if (out.kind === 'expired') return end('deadline', attempt - 1, out.startedAt);
            push('requested', out.startedAt, line(attempt, { via: out.kind === 'sent' ? (out.via ?? null) : null }));
            if (out.kind === 'answer') return answered(out, attempt, out.startedAt);
            let ended = out.at;
            if (out.kind === 'sent') {
              ended = forward ? Math.min(out.at + timing.stepTimeoutMs, deadlineAt) : out.at + timing.stepTimeoutMs;
              const reply = await waitReply(replied, ended - out.at, ended, forward);
              if (reply === 'compensate') return end('cancelled', attempt, ended, 'cancelled in flight');
              if (reply) return answered(reply, attempt, reply.at, reply);
              push('attempt-failed', ended, line(attempt, { detail: 'no reply in time' }));
            } else push('attempt-failed', out.at, line(attempt, { detail: out.error }));
            if (forward && ended >= deadlineAt) return end('deadline', attempt, ended);
            if (attempt >= budget.attempts) return end('gave-up', attempt, ended, `RETRIES_EXHAUSTED:${c.action}`);
            // Back off, listening: a late reply to this command is its answer (the service answers
            // every attempt alike), an operator's compensate ends the wait.
            const backoff = backoffAfter(attempt, budget);
            const until = forward ? Math.min(ended + backoff, deadlineAt) : ended + backoff;
            const reply = await waitReply(replied, until - ended, until, forward);
            if (reply === 'compensate') return end('cancelled', attempt, until, 'cancelled in flight');
            if (reply) return answered(reply, attempt, reply.at, reply);
          }
        };

        const { bounded, untilDone, compensating } = stepBudgets(timing);
        const commands = orderSagaCommands(input);
        const compensations: StepCommand[] = [];

        // The row of the list and the deadline, fixed once (the step's output on a replay).
        const first = await ctx.run('status', async () => {
          const now = Date.now();
          const written = { ...row, deadlineAt: now + timing.deadlineMs };
          await io.record(written);
          return { at: now, deadlineAt: written.deadlineAt };
        });
        row.deadlineAt = first.deadlineAt;
        state.createdAt = first.at;
        push('started', first.at);
        save();
        try {
          for (const { step, undo } of commands.beforePivot) {
            // Its undo is owed once it succeeded or may have acted; anything but success compensates.
            const e = await run(step, bounded, true);
            if (e.kind === 'answer' ? e.outcome === 'SUCCESS' : e.tried) compensations.unshift(undo);
            if (e.kind !== 'answer' || e.outcome !== 'SUCCESS')
              throw new Compensate(compensationReason(e, step.action));
          }
          // The pivot: the saga resolves the compensate promise itself; an operator's request id
          // already there means the operator came first.
          if (!compensateHeard) {
            await compensate.resolve(PIVOT).catch((err: unknown) => {
              if (!(err instanceof restate.TerminalError)) throw err;
            });
            if ((await compensate.peek()) !== PIVOT) {
              push('operator', row.deadlineAt, { step: 'approveOrder', detail: 'compensate (before the pivot)' });
              compensateHeard = true;
            }
          }
          if (compensateHeard) throw new Compensate('OPERATOR_COMPENSATED');
          row.pastPivot = true;
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
          let parks = 0;
          for (const c of compensations) {
            for (;;) {
              const end = await run(c, compensating, false);
              if (end.kind === 'answer' && end.outcome === 'SUCCESS') break;
              row.reason = `${c.action} ${end.kind === 'answer' ? `refused: ${end.reason ?? 'FAILURE'}` : 'gave no answer'}`;
              state.parked = decisionPromise(parks++);
              await record('NEEDS_ATTENTION');
              const decision = await ctx.promise<OperatorRequest>(state.parked).get();
              state.parked = null;
              push('operator', decision.at, {
                step: c.action,
                detail: `${decision.action}${decision.note ? ` (${decision.note})` : ''}`,
              });
              row.reason = why;
              if (decision.action === 'resolve') {
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

      /** A reply from Kafka: resolves its command's promise (a duplicate or late one finds it resolved, and is dropped). */
      reply: restate.handlers.workflow.shared(async (ctx: restate.WorkflowSharedContext, r: ReplyMessage) => {
        await ctx
          .promise<ReplyMessage>(replyPromise(r.commandId))
          .resolve(r)
          .catch((err: unknown) => {
            if (!(err instanceof restate.TerminalError)) throw err;
          });
      }),

      /** An operator's action: refused, or handed to the saga (a compensate races its pivot; retry/resolve answer a parked saga). */
      operate: restate.handlers.workflow.shared(
        async (ctx: restate.WorkflowSharedContext, req: OperatorRequest): Promise<OperatedAnswer> => {
          const saga = await ctx.get<SagaState>(STATE);
          if (!saga) return { missing: true };
          const { row } = saga;
          const refused = operatorRefusal(req.action, row.status, row.pastPivot, 'Restate');
          if (refused) return { refused };
          const target = req.action === 'compensate' ? COMPENSATE : saga.parked;
          if (!target) return { refused: `the saga is ${row.status}, not waiting for an operator` };
          const promise = ctx.promise<string | OperatorRequest>(target);
          await promise.resolve(req.action === 'compensate' ? req.requestId : req).catch((err: unknown) => {
            if (!(err instanceof restate.TerminalError)) throw err;
          });
          const won = await promise.peek();
          if (won === PIVOT) return { refused: operatorRefusal(req.action, row.status, true, 'Restate')! };
          if ((typeof won === 'string' ? won : won?.requestId) !== req.requestId)
            return {
              refused: `another operator's ${req.action === 'compensate' ? 'compensate' : 'decision'} came first`,
            };
          return { status: row.status, step: row.step };
        },
      ),

      /** What the operator API shows: the saga's row, its history and its next timer (undefined: no such saga). */
      describe: restate.handlers.workflow.shared(
        async (ctx: restate.WorkflowSharedContext): Promise<SagaState | null> =>
          (await ctx.get<SagaState>(STATE)) ?? null,
      ),
    },
  });

export type OrderSagaWorkflow = ReturnType<typeof orderSagaWorkflow>;
