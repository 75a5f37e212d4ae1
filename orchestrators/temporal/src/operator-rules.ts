import type { OperatorAction, SagaStatus } from '@saga/contracts/saga';

/**
 * Why an operator action does not fit a saga now, or undefined — the custom engine's rules, but
 * for `retry` of a step in flight: Temporal retries that itself, so `retry` fits a parked saga only.
 */
export const operatorRefusal = (action: OperatorAction, status: SagaStatus, pastPivot: boolean): string | undefined => {
  switch (action) {
    case 'retry':
      return status === 'NEEDS_ATTENTION'
        ? undefined
        : `cannot retry a saga that is ${status}: Temporal retries a step in flight itself; retry fits a NEEDS_ATTENTION saga`;
    case 'compensate':
      return status === 'RUNNING' && !pastPivot
        ? undefined
        : `cannot compensate a saga that is ${status}${pastPivot ? ' and past its pivot (it only goes forward)' : ''}`;
    case 'resolve':
      return status === 'NEEDS_ATTENTION'
        ? undefined
        : `only a NEEDS_ATTENTION saga can be resolved; this one is ${status}`;
    default: {
      const unreachable: never = action;
      throw new Error(`unknown operator action ${String(unreachable)}`);
    }
  }
};
