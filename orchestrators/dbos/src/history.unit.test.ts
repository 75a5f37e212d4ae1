import { describe, expect, it } from 'vitest';
import { timelineOf } from '@saga/contracts';
import { historyOf, type RecordedStep } from './history.ts';
import type { SagaRow } from './shared.ts';

const ID = 'o-1';
const T0 = Date.parse('2026-12-06T10:00:00Z');
let clock = T0;
const step = (name: string, output: unknown): RecordedStep => {
  clock += 10;
  return { name, output, startedAtEpochMs: clock - 5, completedAtEpochMs: clock };
};
const row = (status: SagaRow['status'], f: Partial<SagaRow> = {}): SagaRow => ({
  id: ID,
  status,
  step: null,
  reason: null,
  pastPivot: false,
  deadlineAt: T0 + 30_000,
  ...f,
});
const reply = (step: string, outcome: 'SUCCESS' | 'FAILURE' = 'SUCCESS', reason?: string) => ({
  type: 'reply',
  commandId: `${ID}:${step}`,
  messageId: `reply:${ID}:${step}`,
  outcome,
  ...(reason ? { reason } : {}),
});
const timeline = (steps: RecordedStep[], status: SagaRow['status']) =>
  timelineOf(
    {
      id: ID,
      status,
      reason: null,
      currentStep: null,
      createdAt: new Date(T0).toISOString(),
      updatedAt: null,
      deadlineAt: null,
      nextTimerAt: null,
      coordinator: {},
    },
    historyOf(ID, new Date(T0).toISOString(), steps),
  );

describe("the DBOS saga's history, read back from its workflow's recorded steps", () => {
  it('over HTTP: each attempt a step with its answer; the statuses from the status steps', () => {
    const t = timeline(
      [
        step('status', T0 + 30_000),
        step('reserveStock', { kind: 'answer', outcome: 'SUCCESS' }),
        step('authorizePayment', { kind: 'no-answer', error: 'timeout', at: clock }),
        step('DBOS.sleep', clock + 200),
        step('DBOS.recv', null),
        step('authorizePayment', { kind: 'answer', outcome: 'SUCCESS' }),
        step('pivot', null),
        step('approveOrder', { kind: 'answer', outcome: 'SUCCESS' }),
        step('commitStock', { kind: 'answer', outcome: 'SUCCESS' }),
        step('notifyConfirmed', { kind: 'answer', outcome: 'SUCCESS' }),
        step('status', row('COMPLETED')),
      ],
      'COMPLETED',
    );
    expect(t.steps.map((s) => [s.step, s.state, s.attempts])).toEqual([
      ['reserveStock', 'succeeded', 1],
      ['authorizePayment', 'succeeded', 2],
      ['approveOrder', 'succeeded', 1],
      ['commitStock', 'succeeded', 1],
      ['notifyConfirmed', 'succeeded', 1],
    ]);
    expect(t.history.filter((h) => h.kind === 'attempt-failed').map((h) => [h.step, h.detail])).toEqual([
      ['authorizePayment', 'timeout'],
    ]);
    expect(t.history.at(-1)).toMatchObject({ kind: 'status', status: 'COMPLETED' });
    expect(t.compensation.started).toBe(false);
  });

  it('over Kafka: a reply that does not come fails the attempt; a reply to another step is ignored', () => {
    const t = timeline(
      [
        step('status', T0 + 30_000),
        step('reserveStock', { kind: 'sent', at: clock }),
        step('DBOS.sleep', clock + 1000),
        step('DBOS.recv', null),
        step('DBOS.sleep', clock + 200),
        step('DBOS.recv', reply('voidPayment')),
        step('DBOS.recv', null),
        step('reserveStock', { kind: 'sent', at: clock }),
        step('DBOS.sleep', clock + 1000),
        step('DBOS.recv', reply('reserveStock')),
      ],
      'RUNNING',
    );
    expect(t.steps.map((s) => [s.step, s.state, s.attempts])).toEqual([['reserveStock', 'succeeded', 2]]);
    expect(t.history.map((h) => h.kind)).toEqual([
      'started',
      'requested',
      'attempt-failed',
      'ignored',
      'requested',
      'succeeded',
    ]);
    expect(t.history.find((h) => h.kind === 'succeeded')?.messageId).toBe(`reply:${ID}:reserveStock`);
  });

  it('the deadline cancels the step in flight, which is then owed its undo', () => {
    const t = timeline(
      [
        step('status', T0 + 30_000),
        step('reserveStock', { kind: 'sent', at: clock }),
        step('DBOS.sleep', clock + 1000),
        step('DBOS.recv', reply('reserveStock')),
        step('authorizePayment', { kind: 'sent', at: clock }),
        step('DBOS.sleep', clock + 1000),
        step('DBOS.recv', null),
        step('status', row('COMPENSATING', { reason: 'DEADLINE_EXCEEDED' })),
      ],
      'COMPENSATING',
    );
    expect(t.steps.map((s) => [s.step, s.state])).toEqual([
      ['reserveStock', 'succeeded'],
      ['authorizePayment', 'cancelled'],
    ]);
    expect(t.history.map((h) => h.kind)).toContain('deadline');
    expect(t.compensation.owed).toEqual(['voidPayment', 'releaseStock']);
  });

  it("an operator's compensate heard while a step waits cancels it; one taken at the pivot is an operator entry", () => {
    const heard = timeline(
      [
        step('status', T0 + 30_000),
        step('reserveStock', { kind: 'sent', at: clock }),
        step('DBOS.sleep', clock + 1000),
        step('DBOS.recv', { type: 'operator', action: 'compensate', note: 'stuck', requestId: 'r1' }),
        step('status', row('COMPENSATING', { reason: 'OPERATOR_COMPENSATED' })),
      ],
      'COMPENSATING',
    );
    expect(heard.steps.map((s) => [s.step, s.state])).toEqual([['reserveStock', 'cancelled']]);
    expect(heard.history.find((h) => h.kind === 'operator')?.detail).toBe('compensate (stuck)');
    const atPivot = historyOf(ID, new Date(T0).toISOString(), [
      step('status', T0 + 30_000),
      step('reserveStock', { kind: 'answer', outcome: 'SUCCESS' }),
      step('authorizePayment', { kind: 'answer', outcome: 'SUCCESS' }),
      step('pivot', 'r2'),
      step('status', row('COMPENSATING', { reason: 'OPERATOR_COMPENSATED' })),
    ]);
    expect(atPivot.map((h) => h.kind)).toEqual([
      'started',
      'requested',
      'succeeded',
      'requested',
      'succeeded',
      'operator',
      'status',
    ]);
  });
});
