import type { CommandType, OperatorAction, SagaStatus } from '@saga/contracts';

/** How a command answers one attempt: done, a business refusal, or no answer within the step's budget. */
export type Answer = 'ok' | 'silent' | { refuse: string };

/** The budgets a case runs with (the coordinators' `SagaTiming`). */
export interface ConformanceTiming {
  stepTimeoutMs: number;
  stepAttempts: number;
  compensationAttempts: number;
  deadlineMs: number;
}

export const CONFORMANCE_TIMING: ConformanceTiming = { stepTimeoutMs: 1_000, stepAttempts: 3, compensationAttempts: 4, deadlineMs: 20_000 };

export interface ConformanceCase {
  name: string;
  /** Per command type, attempt by attempt (the last repeats); a type not listed answers 'ok'. */
  answers?: Partial<Record<CommandType, readonly Answer[]>>;
  timing?: Partial<ConformanceTiming>;
  /**
   * An operator action, taken once: when the saga is parked, or while the named command's first
   * attempt is in flight. `heals`: from then on every command answers 'ok' (the cause was fixed).
   */
  operator?: { when: 'parked' | { inFlight: CommandType }; action: OperatorAction; heals?: boolean };
  expect: {
    status: SagaStatus;
    /** Why it compensated (the saga's reason), where it did. */
    reason?: string;
    /** The commands sent, each once however many attempts it took, in order. */
    commands: CommandType[];
  };
}

const HAPPY: CommandType[] = ['ReserveStock', 'AuthorizePayment', 'ApproveOrder', 'CommitStock', 'SendNotification'];
const UNDONE_BOTH: CommandType[] = ['ReserveStock', 'AuthorizePayment', 'VoidPayment', 'ReleaseStock', 'RejectOrder', 'SendNotification'];
const DECLINED: CommandType[] = ['ReserveStock', 'AuthorizePayment', 'ReleaseStock', 'RejectOrder', 'SendNotification'];

/**
 * One table of saga scenarios (issue 15), run against every coordinator: the custom engine's
 * given/expect runner (`conformance.unit.test.ts`) and the Temporal workflow in its test
 * environment (`workflows.int.test.ts`). A coordinator passes when every row ends as expected.
 */
export const CONFORMANCE: readonly ConformanceCase[] = [
  { name: 'happy path', expect: { status: 'COMPLETED', commands: HAPPY } },
  { name: 'out of stock', answers: { ReserveStock: [{ refuse: 'OUT_OF_STOCK' }] }, expect: { status: 'REJECTED', reason: 'OUT_OF_STOCK', commands: ['ReserveStock', 'RejectOrder', 'SendNotification'] } },
  { name: 'payment declined', answers: { AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }] }, expect: { status: 'REJECTED', reason: 'INSUFFICIENT_CREDIT', commands: DECLINED } },
  {
    name: 'approve retried past its step budget: the pivot only goes forward',
    answers: { ApproveOrder: ['silent', 'silent', 'silent', 'silent', 'ok'] },
    expect: { status: 'COMPLETED', commands: HAPPY },
  },
  {
    name: 'a step that never answers: retried, then compensated with the step in flight',
    answers: { AuthorizePayment: ['silent'] },
    expect: { status: 'REJECTED', reason: 'RETRIES_EXHAUSTED:authorizePayment', commands: UNDONE_BOTH },
  },
  {
    name: 'the deadline passes before the pivot',
    timing: { stepAttempts: 1_000, deadlineMs: 4_000 },
    answers: { AuthorizePayment: ['silent'] },
    expect: { status: 'REJECTED', reason: 'DEADLINE_EXCEEDED', commands: UNDONE_BOTH },
  },
  {
    name: 'a compensation refused: parked, an operator retry finishes the rollback',
    answers: { AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }], ReleaseStock: [{ refuse: 'INVENTORY_UNAVAILABLE' }] },
    operator: { when: 'parked', action: 'retry', heals: true },
    expect: { status: 'REJECTED', reason: 'INSUFFICIENT_CREDIT', commands: DECLINED },
  },
  {
    name: 'a compensation refused: parked, an operator resolves it by hand',
    answers: { AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }], ReleaseStock: [{ refuse: 'INVENTORY_UNAVAILABLE' }] },
    operator: { when: 'parked', action: 'resolve' },
    expect: { status: 'RESOLVED', commands: ['ReserveStock', 'AuthorizePayment', 'ReleaseStock'] },
  },
  {
    name: 'an operator compensates before the pivot, the step in flight undone too',
    timing: { stepAttempts: 1_000 },
    answers: { AuthorizePayment: ['silent'] },
    operator: { when: { inFlight: 'AuthorizePayment' }, action: 'compensate' },
    expect: { status: 'REJECTED', reason: 'OPERATOR_COMPENSATED', commands: UNDONE_BOTH },
  },
];

/** The answer to attempt `n` (1, 2, …) of a command of `type` in `c`. */
export const answerOf = (c: ConformanceCase, type: CommandType, n: number): Answer => {
  const list = c.answers?.[type];
  if (!list?.length) return 'ok';
  return list[Math.min(n, list.length) - 1]!;
};

/** Commands in order of first sending, each once (attempts share their command id). */
export const distinctCommands = (sent: { commandId: string; type: CommandType }[]): CommandType[] => {
  const seen = new Set<string>();
  return sent.flatMap((c) => (seen.has(c.commandId) ? [] : (seen.add(c.commandId), [c.type])));
};
