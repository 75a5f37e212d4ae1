import {
  ActivityFailure,
  CancellationScope,
  type ActivityInterfaceFor,
  proxyLocalActivities,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { CommandType } from '@saga/contracts';
import {
  operatorRefusal,
  PATIENT_MAX_BACKOFF_MS,
  STEP_RETRY,
  type HistoryLine,
  type OperatorAction,
} from '@saga/contracts/saga';
import {
  SagaStatusKey,
  type CommandResult,
  type OrderSagaInput,
  type SagaActivities,
  type SagaStatus,
  type SagaView,
} from './shared.ts';

export const retrySignal = defineSignal<[note?: string]>('retry');
export const resolveSignal = defineSignal<[note?: string]>('resolve');
export const compensateSignal = defineSignal<[note?: string]>('compensate');
export const statusQuery = defineQuery<SagaView>('status');
/** The operator API's action (ADR 0017): refused by its validator when it does not fit; else the view once the saga took it. */
export const operateUpdate = defineUpdate<SagaView, [action: OperatorAction, note?: string]>('operate');

/** A refusal before the pivot: stop going forward and roll back. */
class Refused extends Error {}
/** An operator's compensate that came in as the last step before the pivot came back. */
class OperatorCompensated extends Error {}

/**
 * The order saga as a Temporal workflow — the same steps, rules, budgets and deadline as the
 * custom definition (orchestrators/custom/src/order-saga.ts):
 * ReserveStock → AuthorizePayment → ApproveOrder (pivot) → CommitStock → SendNotification.
 * A compensation is registered once its step succeeded — or gave no answer within its budget
 * (it may have acted) — and they run in reverse in a non-cancellable scope. One that keeps
 * failing parks the saga as NEEDS_ATTENTION until an operator retries or resolves it; before the
 * pivot an operator may compensate it (signals, or the `operate` update the operator API uses).
 */
export async function orderSaga(input: OrderSagaInput): Promise<SagaStatus> {
  const { orderId, customerId, timing } = input;
  const view: SagaView = {
    status: 'RUNNING',
    step: null,
    reason: null,
    history: [],
    deadlineAt: new Date(Date.now() + timing.deadlineMs).toISOString(),
    stepTimeoutMs: timing.stepTimeoutMs,
  };
  /** A typed history entry at workflow time (deterministic: the same on replay). */
  const log = (kind: HistoryLine['kind'], f: Partial<HistoryLine> = {}) =>
    view.history.push({
      at: new Date().toISOString(),
      kind,
      step: null,
      attempt: null,
      status: view.status,
      detail: null,
      commandId: null,
      messageId: null,
      ...f,
    });
  log('started');
  setHandler(statusQuery, () => view);
  let operator: 'retry' | 'resolve' | null = null;
  let pastPivot = false;
  let compensateAsked = false;
  // The deadline's scope, which runs the steps before the pivot: an operator's compensate cancels it.
  // Taken from inside (not wrapped in a scope of our own): an extra scope changes the order of the
  // commands a refusal emits (timer cancel, search attribute) and running histories would not replay.
  let forward: CancellationScope | undefined;
  const refusalNow = (action: OperatorAction) =>
    operatorRefusal(action, view.status, pastPivot, 'Temporal') ??
    (action === 'compensate' && compensateAsked ? 'a compensate is already under way' : undefined);
  /** An operator action that fits is taken; a signal that does not fit is ignored (the update's validator refuses it). */
  const act = (action: OperatorAction, note?: string) => {
    if (refusalNow(action)) return;
    log('operator', { step: view.step, detail: `${action}${note ? ` (${note})` : ''}` });
    if (action !== 'compensate') operator = action;
    else {
      compensateAsked = true;
      forward?.cancel();
    }
  };
  setHandler(retrySignal, (note) => act('retry', note));
  setHandler(resolveSignal, (note) => act('resolve', note));
  setHandler(compensateSignal, (note) => act('compensate', note));
  setHandler(
    operateUpdate,
    async (action, note) => {
      const from = view.status;
      act(action, note);
      await condition(() => view.status !== from);
      return view;
    },
    {
      validator: (action: OperatorAction, _note?: string) => {
        const why = refusalNow(action);
        if (why) throw new Error(why);
      },
    },
  );
  const setStatus = (status: SagaStatus) => {
    view.status = status;
    log('status', { detail: `saga ${status.toLowerCase()}` });
    upsertSearchAttributes([{ key: SagaStatusKey, value: status }]);
  };

  const retry = {
    initialInterval: STEP_RETRY.initialBackoffMs,
    backoffCoefficient: STEP_RETRY.factor,
    maximumInterval: STEP_RETRY.maxBackoffMs,
  };
  // Local activities run inside the workflow task (HTTP transport only); same budgets either way.
  const proxy = input.activities === 'local' ? proxyLocalActivities : proxyActivities;
  const bounded = proxy<SagaActivities>({
    startToCloseTimeout: timing.stepTimeoutMs,
    retry: { ...retry, maximumAttempts: timing.stepAttempts },
  });
  const patient = { ...retry, maximumInterval: PATIENT_MAX_BACKOFF_MS };
  const untilDone = proxy<SagaActivities>({ startToCloseTimeout: timing.stepTimeoutMs, retry: patient });
  // A refusal parks a compensation at once; silence gets its own, longer budget (a saga started
  // before that budget existed keeps the step's).
  const compensating = proxy<SagaActivities>({
    startToCloseTimeout: timing.stepTimeoutMs,
    retry: { ...patient, maximumAttempts: timing.compensationAttempts ?? timing.stepAttempts },
  });
  const send = async (
    via: ActivityInterfaceFor<SagaActivities>,
    action: string,
    type: CommandType,
    payload: Record<string, unknown>,
  ): Promise<CommandResult> => {
    view.step = action;
    const commandId = `${orderId}:${action}`;
    log('requested', { step: action, detail: `sent ${type}`, commandId });
    try {
      // The summary names the step in the Web UI's event history (every step is one sendCommand activity).
      const summary = `${type} (${action})`;
      const r = await via.sendCommand.executeWithOptions({ summary }, [{ type, commandId, sagaId: orderId, payload }]);
      log(r.outcome === 'SUCCESS' ? 'succeeded' : 'refused', {
        step: action,
        attempt: r.attempt ?? null,
        detail: r.outcome === 'SUCCESS' ? null : (r.reason ?? 'FAILURE'),
        commandId,
        messageId: r.messageId ?? null,
        via: r.via ?? null,
      });
      return r;
    } catch (err) {
      log(isCancellation(err) ? 'cancelled' : 'gave-up', {
        step: action,
        detail: isCancellation(err) ? 'cancelled in flight' : 'no answer within its budget',
        commandId,
      });
      throw err;
    }
  };

  const compensations: { action: string; type: CommandType }[] = [];
  /** A step before the pivot: refusal → Refused; no answer within budget → compensate it too. */
  const step = async (
    action: string,
    type: CommandType,
    payload: Record<string, unknown>,
    undo: { action: string; type: CommandType },
  ) => {
    let result: CommandResult;
    try {
      result = await send(bounded, action, type, payload);
    } catch (err) {
      compensations.unshift(undo);
      throw err;
    }
    if (result.outcome === 'FAILURE') throw new Refused(result.reason ?? 'FAILURE');
    compensations.unshift(undo);
  };

  try {
    // The deadline covers the steps before the pivot; past the pivot the saga only goes forward.
    await CancellationScope.withTimeout(timing.deadlineMs, async () => {
      forward = CancellationScope.current();
      await step(
        'reserveStock',
        'ReserveStock',
        { orderId, lines: input.lines },
        { action: 'releaseStock', type: 'ReleaseStock' },
      );
      await step(
        'authorizePayment',
        'AuthorizePayment',
        { orderId, customerId, amountCents: input.totalCents },
        { action: 'voidPayment', type: 'VoidPayment' },
      );
    });
    if (compensateAsked) throw new OperatorCompensated();
    pastPivot = true;
    const approved = await send(untilDone, 'approveOrder', 'ApproveOrder', { orderId });
    if (approved.outcome === 'FAILURE') throw new Refused(approved.reason ?? 'FAILURE');
  } catch (err) {
    if (isCancellation(err) && !compensateAsked) log('deadline');
    view.reason =
      err instanceof Refused
        ? err.message
        : compensateAsked
          ? 'OPERATOR_COMPENSATED'
          : isCancellation(err)
            ? 'DEADLINE_EXCEEDED'
            : err instanceof ActivityFailure
              ? `RETRIES_EXHAUSTED:${view.step}`
              : String(err);
    return await rollBack();
  }
  await send(untilDone, 'commitStock', 'CommitStock', { orderId });
  await send(untilDone, 'notifyConfirmed', 'SendNotification', { orderId, customerId, kind: 'confirmed' });
  view.step = null;
  setStatus('COMPLETED');
  return 'COMPLETED';

  async function rollBack(): Promise<SagaStatus> {
    setStatus('COMPENSATING');
    return CancellationScope.nonCancellable(async () => {
      for (const c of compensations) {
        for (;;) {
          const result = await send(compensating, c.action, c.type, { orderId }).catch(() => undefined);
          if (result?.outcome === 'SUCCESS') break;
          setStatus('NEEDS_ATTENTION');
          operator = null;
          await condition(() => operator !== null);
          if (operator === 'resolve') {
            setStatus('RESOLVED');
            return 'RESOLVED';
          }
          setStatus('COMPENSATING');
        }
      }
      await send(untilDone, 'rejectOrder', 'RejectOrder', { orderId, reason: view.reason ?? 'REJECTED' });
      await send(untilDone, 'notifyRejected', 'SendNotification', { orderId, customerId, kind: 'rejected' });
      view.step = null;
      setStatus('REJECTED');
      return 'REJECTED';
    });
  }
}
