import { ORDER_SAGA_STEPS, SagaTimeline } from '@saga/contracts';

/** `GET /sagas/:id` of any coordinator, validated with the one timeline shape; undefined for a 404. */
export const sagaTimeline = async (base: string, id: string): Promise<SagaTimeline | undefined> => {
  const res = await fetch(`${base}/sagas/${id}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET /sagas/${id}: HTTP ${res.status} ${await res.text()}`);
  return SagaTimeline.parse(await res.json());
};

const FORWARD: readonly string[] = ORDER_SAGA_STEPS;

/**
 * What the timeline of a finished saga must show whatever coordinator drove it (the conformance
 * table's end-to-end half): `happy` — every forward step succeeded once, in order, nothing
 * compensated or pending; `declined` — payment refused with its reason, stock released as an undo,
 * nothing owed. `everyUndo`: the choreography runs every undo (a void with nothing held is a no-op;
 * ADR 0018). Returns the problems found, none when it conforms.
 */
export const timelineProblems = (
  t: SagaTimeline,
  scenario: 'happy' | 'declined',
  opts: { everyUndo?: boolean } = {},
): string[] => {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => ok || problems.push(what);
  const step = (name: string) => t.steps.find((s) => s.step === name);
  for (const s of t.steps) {
    check(s.state !== 'running', `${s.step} still running in a finished saga`);
    check(
      s.startedAt === null || s.finishedAt === null || Date.parse(s.finishedAt) >= Date.parse(s.startedAt),
      `${s.step} finished before it started`,
    );
    check(s.attempts === null || s.attempts >= 1, `${s.step} has ${s.attempts} attempts`);
    check(s.startedAt !== null, `${s.step} has no start time`);
  }
  check(t.pending.length === 0, `pending ${t.pending.map((p) => p.step).join(', ')}`);
  check(t.compensation.owed.length === 0, `owes ${t.compensation.owed.join(', ')}`);
  check(
    t.history.some((h) => h.kind === 'started'),
    'no started entry',
  );
  if (scenario === 'happy') {
    check(t.status === 'COMPLETED', `status ${t.status}`);
    check(
      JSON.stringify(t.steps.map((s) => `${s.step}:${s.state}`)) ===
        JSON.stringify(FORWARD.map((s) => `${s}:succeeded`)),
      `steps ${t.steps.map((s) => `${s.step}:${s.state}`).join(', ')}`,
    );
    check(!t.compensation.started && t.compensation.done.length === 0, 'compensated a happy saga');
    for (const s of t.steps)
      check(s.attempts === null || s.attempts === 1, `${s.step} took ${s.attempts} attempts without a fault`);
  } else {
    check(t.status === 'REJECTED', `status ${t.status}`);
    check(
      step('authorizePayment')?.state === 'refused' && step('authorizePayment')?.detail === 'INSUFFICIENT_CREDIT',
      'authorizePayment not refused for INSUFFICIENT_CREDIT',
    );
    check(step('reserveStock')?.state === 'succeeded', 'reserveStock did not succeed');
    check(
      step('releaseStock')?.kind === 'undo' && step('releaseStock')?.state === 'succeeded',
      'releaseStock not undone',
    );
    check(step('approveOrder') === undefined, 'approveOrder ran in a declined saga');
    check(
      ['rejectOrder', 'notifyRejected'].every((s) => step(s)?.state === 'succeeded'),
      'the rejection was not closed',
    );
    check(t.compensation.started, 'compensation not started');
    const done = [...t.compensation.done].sort().join(', ');
    check(done === (opts.everyUndo ? 'releaseStock, voidPayment' : 'releaseStock'), `undone: ${done}`);
  }
  return problems;
};
