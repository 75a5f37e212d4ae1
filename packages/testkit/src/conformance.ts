import { isTerminal, type CommandType, type OperatorAction, type SagaStatus, type SagaTimeline } from '@saga/contracts';

/** How a command answers one attempt: done, a business refusal, or no answer within the step's budget. */
export type Answer = 'ok' | 'silent' | { refuse: string };

/** The budgets a case runs with (the coordinators' `SagaTiming`). */
export interface ConformanceTiming {
  stepTimeoutMs: number;
  stepAttempts: number;
  compensationAttempts: number;
  deadlineMs: number;
}

export const CONFORMANCE_TIMING: ConformanceTiming = {
  stepTimeoutMs: 1_000,
  stepAttempts: 3,
  compensationAttempts: 4,
  deadlineMs: 20_000,
};

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
const UNDONE_BOTH: CommandType[] = [
  'ReserveStock',
  'AuthorizePayment',
  'VoidPayment',
  'ReleaseStock',
  'RejectOrder',
  'SendNotification',
];
const DECLINED: CommandType[] = ['ReserveStock', 'AuthorizePayment', 'ReleaseStock', 'RejectOrder', 'SendNotification'];

/**
 * One table of saga scenarios (issue 15), run against every coordinator: the custom engine's
 * given/expect runner (`conformance.unit.test.ts`) and the Temporal workflow in its test
 * environment (`workflows.int.test.ts`). A coordinator passes when every row ends as expected.
 */
export const CONFORMANCE: readonly ConformanceCase[] = [
  { name: 'happy path', expect: { status: 'COMPLETED', commands: HAPPY } },
  {
    name: 'out of stock',
    answers: { ReserveStock: [{ refuse: 'OUT_OF_STOCK' }] },
    expect: {
      status: 'REJECTED',
      reason: 'OUT_OF_STOCK',
      commands: ['ReserveStock', 'RejectOrder', 'SendNotification'],
    },
  },
  {
    name: 'payment declined',
    answers: { AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }] },
    expect: { status: 'REJECTED', reason: 'INSUFFICIENT_CREDIT', commands: DECLINED },
  },
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
    answers: {
      AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }],
      ReleaseStock: [{ refuse: 'INVENTORY_UNAVAILABLE' }],
    },
    operator: { when: 'parked', action: 'retry', heals: true },
    expect: { status: 'REJECTED', reason: 'INSUFFICIENT_CREDIT', commands: DECLINED },
  },
  {
    name: 'a compensation refused: parked, an operator resolves it by hand',
    answers: {
      AuthorizePayment: [{ refuse: 'INSUFFICIENT_CREDIT' }],
      ReleaseStock: [{ refuse: 'INVENTORY_UNAVAILABLE' }],
    },
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

/**
 * The difference ADR 0018 names: choreography gives the verdict first (RejectOrder), then every
 * service undoes its own part, in reverse order — a no-op where it did nothing, since no one holds
 * a list of what was done.
 */
export const choreographed = (cmds: readonly CommandType[]): CommandType[] => {
  const i = cmds.findIndex((c) => c === 'VoidPayment' || c === 'ReleaseStock' || c === 'RejectOrder');
  if (i < 0) return [...cmds];
  return [
    ...cmds.slice(0, i),
    'RejectOrder',
    'VoidPayment',
    'ReleaseStock',
    ...(cmds.slice(i).includes('SendNotification') ? ['SendNotification' as const] : []),
  ];
};

/** The command each step of the order saga sends. */
const COMMAND_OF: Record<string, CommandType> = {
  reserveStock: 'ReserveStock',
  authorizePayment: 'AuthorizePayment',
  approveOrder: 'ApproveOrder',
  commitStock: 'CommitStock',
  notifyConfirmed: 'SendNotification',
  releaseStock: 'ReleaseStock',
  voidPayment: 'VoidPayment',
  rejectOrder: 'RejectOrder',
  notifyRejected: 'SendNotification',
};

/**
 * What the coordinator's timeline (built by `timelineOf` from its typed history) must say at the
 * end of a row: its steps are the row's commands (or `expected`: choreography's), in order; a finished saga has nothing pending and
 * owes nothing (a resolved one may: resolving is the operator's word that it is settled by hand);
 * a parked one waits on one step and owes at least its undo. Returns the problems, none when it conforms.
 */
export const conformanceTimelineProblems = (
  t: Pick<SagaTimeline, 'status' | 'steps' | 'pending' | 'compensation'>,
  c: ConformanceCase,
  expected: readonly CommandType[] = c.expect.commands,
): string[] => {
  const problems: string[] = [];
  const commands = t.steps.map((s) => COMMAND_OF[s.step] ?? s.step);
  if (JSON.stringify(commands) !== JSON.stringify(expected))
    problems.push(`timeline steps ${commands.join(', ')} ≠ ${expected.join(', ')}`);
  if (isTerminal(t.status) && t.pending.length > 0)
    problems.push(`pending ${t.pending.map((p) => p.step).join(', ')} in a ${t.status} saga`);
  if (t.status !== 'RESOLVED' && isTerminal(t.status) && t.compensation.owed.length > 0)
    problems.push(`owes ${t.compensation.owed.join(', ')} in a ${t.status} saga`);
  if (t.status === 'NEEDS_ATTENTION' && (t.pending.length !== 1 || t.compensation.owed.length === 0))
    problems.push('a parked saga must wait on one step and owe its undo');
  if (t.status === 'REJECTED') {
    const undos = t.steps.filter((s) => s.kind === 'undo').map((s) => s.step);
    if (JSON.stringify(undos) !== JSON.stringify(t.compensation.done))
      problems.push(`undos run ${undos.join(', ')} but done ${t.compensation.done.join(', ')}`);
  }
  for (const s of t.steps)
    if (isTerminal(t.status) && t.status !== 'RESOLVED' && s.state === 'running')
      problems.push(`${s.step} still running`);
  return problems;
};
