import { describe, expect, it } from 'vitest';
import { SagaTimeline } from './operator.ts';
import type { HistoryLine } from './saga.ts';
import { timelineOf, type TimelineHead } from './timeline.ts';

const t0 = Date.parse('2026-12-06T10:00:00.000Z');
let clock = 0;
const line = (kind: HistoryLine['kind'], f: Partial<HistoryLine> = {}): HistoryLine => ({
  at: new Date(t0 + 100 * clock++).toISOString(),
  kind,
  step: null,
  attempt: null,
  status: 'RUNNING',
  detail: null,
  commandId: null,
  messageId: null,
  ...f,
});
const head = (over: Partial<TimelineHead> = {}): TimelineHead => ({
  id: 'o1',
  status: 'RUNNING',
  reason: null,
  currentStep: null,
  createdAt: new Date(t0).toISOString(),
  updatedAt: null,
  deadlineAt: null,
  nextTimerAt: null,
  coordinator: {},
  ...over,
});
const ok = (step: string, attempt = 1) => [line('requested', { step, attempt }), line('succeeded', { step, attempt })];

describe("timelineOf: one timeline from any coordinator's typed history", () => {
  it('a happy saga: every step once, in order, with its timings; nothing compensated or pending', () => {
    const steps = ['reserveStock', 'authorizePayment', 'approveOrder', 'commitStock', 'notifyConfirmed'];
    const t = timelineOf(head({ status: 'COMPLETED' }), [
      line('started'),
      ...steps.flatMap((s) => ok(s)),
      line('status', { status: 'COMPLETED' }),
    ]);
    expect(SagaTimeline.parse(t)).toEqual(t);
    expect(t.steps.map((s) => [s.step, s.kind, s.state, s.attempts])).toEqual(
      steps.map((s) => [s, 'step', 'succeeded', 1]),
    );
    expect(Date.parse(t.steps[0]!.finishedAt!) - Date.parse(t.steps[0]!.startedAt!)).toBe(100);
    expect(t.compensation).toEqual({ started: false, done: [], owed: [] });
    expect(t.pending).toEqual([]);
  });

  it('a step that timed out and was retried: two attempts, the last error kept, started at its first request', () => {
    const t = timelineOf(head(), [
      line('started'),
      line('requested', { step: 'reserveStock', attempt: 1 }),
      line('attempt-failed', { step: 'reserveStock', attempt: 1, detail: 'timed out' }),
      line('requested', { step: 'reserveStock', attempt: 2 }),
      line('succeeded', { step: 'reserveStock', attempt: 2 }),
      line('requested', { step: 'authorizePayment', attempt: 1 }),
    ]);
    expect(t.steps[0]).toMatchObject({
      step: 'reserveStock',
      state: 'succeeded',
      attempts: 2,
      detail: 'timed out',
      startedAt: new Date(t0 + 100 * (clock - 5)).toISOString(),
    });
    expect(t.pending).toEqual([
      { step: 'authorizePayment', attempts: 1, since: t.steps[1]!.startedAt, nextTimerAt: null },
    ]);
  });

  it('a compensation that keeps failing: both undos owed in reverse order, the parked one pending with its timer', () => {
    const t = timelineOf(
      head({ status: 'NEEDS_ATTENTION', currentStep: 'voidPayment', nextTimerAt: '2026-12-06T10:05:00.000Z' }),
      [
        line('started'),
        ...ok('reserveStock'),
        line('requested', { step: 'authorizePayment', attempt: 3 }),
        line('gave-up', { step: 'authorizePayment', attempt: 3, detail: '3 attempts without a reply' }),
        line('status', { status: 'COMPENSATING', detail: 'RETRIES_EXHAUSTED:authorizePayment' }),
        line('requested', { step: 'voidPayment', attempt: 1, status: 'COMPENSATING' }),
        line('refused', { step: 'voidPayment', attempt: 1, detail: 'UNAVAILABLE', status: 'NEEDS_ATTENTION' }),
      ],
    );
    expect(t.steps.map((s) => `${s.step}:${s.kind}:${s.state}`)).toEqual([
      'reserveStock:step:succeeded',
      'authorizePayment:step:gave-up',
      'voidPayment:undo:refused',
    ]);
    expect(t.compensation).toEqual({ started: true, done: [], owed: ['voidPayment', 'releaseStock'] });
    expect(t.pending).toEqual([
      { step: 'voidPayment', attempts: 1, since: t.steps[2]!.startedAt, nextTimerAt: '2026-12-06T10:05:00.000Z' },
    ]);
  });

  it('a refused step is not undone; an undo that succeeded is no longer owed; a finished saga has nothing pending', () => {
    const t = timelineOf(head({ status: 'REJECTED' }), [
      line('started'),
      ...ok('reserveStock'),
      line('requested', { step: 'authorizePayment', attempt: 1 }),
      line('refused', { step: 'authorizePayment', attempt: 1, detail: 'INSUFFICIENT_CREDIT', status: 'COMPENSATING' }),
      ...ok('releaseStock'),
      ...ok('rejectOrder'),
      line('requested', { step: 'notifyRejected', attempt: 1 }),
    ]);
    expect(t.compensation).toEqual({ started: true, done: ['releaseStock'], owed: [] });
    expect(t.steps.find((s) => s.step === 'authorizePayment')).toMatchObject({
      state: 'refused',
      detail: 'INSUFFICIENT_CREDIT',
    });
    expect(t.pending).toEqual([]);
  });

  it('an operator retry runs a given-up step again (running until its next answer)', () => {
    const t = timelineOf(head({ status: 'COMPENSATING', currentStep: 'releaseStock' }), [
      line('requested', { step: 'releaseStock', attempt: 4, status: 'COMPENSATING' }),
      line('gave-up', { step: 'releaseStock', attempt: 4, status: 'NEEDS_ATTENTION' }),
      line('operator', { step: 'releaseStock', detail: 'retry (fixed)' }),
      line('requested', { step: 'releaseStock', attempt: 1, status: 'COMPENSATING' }),
    ]);
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0]).toMatchObject({ state: 'running', attempts: 1, finishedAt: null });
    expect(t.pending.map((p) => p.step)).toEqual(['releaseStock']);
  });
});
