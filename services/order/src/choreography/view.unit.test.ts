import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '@saga/contracts';
import { apply, derive, entryOf, requestedBy, type ViewState } from './view.ts';

const ev = (type: string, payload: Record<string, unknown> = {}) =>
  ({
    messageId: `${type}-${Math.random()}`,
    sagaId: 'o1',
    occurredAt: new Date().toISOString(),
    type,
    payload: { orderId: 'o1', customerId: 'c1', ...payload },
  }) as unknown as DomainEvent;
const fresh: ViewState = { facts: [], reason: null, parked: null, resolved: false };
const run = (...events: DomainEvent[]) => events.reduce(apply, fresh);

/** The choreographed saga's view (ADR 0018): status and pending steps follow from the facts seen, in any order. */
describe('the saga view of the choreography', () => {
  it('walks the happy path to COMPLETED; past the pivot it waits for commit and notify at once', () => {
    expect(derive(run(ev('OrderCreated')))).toEqual({ status: 'RUNNING', pending: ['reserveStock'], pastPivot: false });
    expect(derive(run(ev('OrderCreated'), ev('StockReserved')))).toMatchObject({ pending: ['authorizePayment'] });
    expect(derive(run(ev('OrderCreated'), ev('StockReserved'), ev('PaymentAuthorized')))).toMatchObject({
      pending: ['approveOrder'],
    });
    const approved = run(ev('OrderCreated'), ev('StockReserved'), ev('PaymentAuthorized'), ev('OrderApproved'));
    expect(derive(approved)).toEqual({
      status: 'RUNNING',
      pending: ['commitStock', 'notifyConfirmed'],
      pastPivot: true,
    });
    expect(derive(apply(approved, ev('NotificationSent', { kind: 'confirmed' })))).toMatchObject({
      pending: ['commitStock'],
    });
    expect(
      derive(apply(apply(approved, ev('NotificationSent', { kind: 'confirmed' })), ev('StockCommitted'))),
    ).toMatchObject({ status: 'COMPLETED', pending: [] });
  });

  it('is order-tolerant: facts from four topics may arrive in any order and still end the same', () => {
    const inOrder = run(
      ev('OrderCreated'),
      ev('StockReserved'),
      ev('PaymentAuthorized'),
      ev('OrderApproved'),
      ev('StockCommitted'),
      ev('NotificationSent', { kind: 'confirmed' }),
    );
    const shuffled = run(
      ev('StockCommitted'),
      ev('OrderApproved'),
      ev('NotificationSent', { kind: 'confirmed' }),
      ev('PaymentAuthorized'),
      ev('OrderCreated'),
      ev('StockReserved'),
    );
    expect(derive(shuffled)).toEqual(derive(inOrder));
  });

  it('after the verdict OrderRejected the undo runs in reverse: void, release, then notify', () => {
    const rejected = run(
      ev('OrderCreated'),
      ev('StockReserved'),
      ev('PaymentDeclined', { reason: 'INSUFFICIENT_CREDIT' }),
      ev('OrderRejected', { reason: 'INSUFFICIENT_CREDIT' }),
    );
    expect(derive(rejected)).toEqual({ status: 'COMPENSATING', pending: ['voidPayment'], pastPivot: false });
    expect(rejected.reason).toBe('INSUFFICIENT_CREDIT');
    expect(derive(apply(rejected, ev('PaymentVoided')))).toMatchObject({ pending: ['releaseStock'] });
    expect(
      derive(run(...[ev('OrderRejected', { reason: 'X' }), ev('PaymentVoided'), ev('StockReleased')])),
    ).toMatchObject({ pending: ['notifyRejected'] });
    expect(
      derive(
        run(
          ev('OrderRejected', { reason: 'X' }),
          ev('PaymentVoided'),
          ev('StockReleased'),
          ev('NotificationSent', { kind: 'rejected' }),
        ),
      ),
    ).toMatchObject({ status: 'REJECTED' });
  });

  it('a refusal, or a forward step that gave up, waits for the verdict (rejectOrder)', () => {
    expect(derive(run(ev('OrderCreated'), ev('StockRefused', { reason: 'OUT_OF_STOCK' })))).toMatchObject({
      status: 'RUNNING',
      pending: ['rejectOrder'],
    });
    expect(
      derive(
        run(
          ev('OrderCreated'),
          ev('StockReserved'),
          ev('ReactionFailed', { step: 'authorizePayment', reason: 'RETRIES_EXHAUSTED:authorizePayment' }),
        ),
      ),
    ).toMatchObject({ pending: ['rejectOrder'] });
  });

  it('a compensation that gave up parks the saga; the next fact un-parks it; resolve ends it', () => {
    const parked = run(
      ev('OrderRejected', { reason: 'X' }),
      ev('PaymentVoided'),
      ev('ReactionFailed', { step: 'releaseStock', reason: 'RETRIES_EXHAUSTED:releaseStock' }),
    );
    expect(derive(parked)).toMatchObject({ status: 'NEEDS_ATTENTION', pending: ['releaseStock'] });
    expect(parked.parked).toBe('releaseStock: RETRIES_EXHAUSTED:releaseStock');
    const moved = apply(parked, ev('StockReleased'));
    expect(moved.parked).toBeNull();
    expect(derive(moved)).toMatchObject({ status: 'COMPENSATING', pending: ['notifyRejected'] });
    expect(derive({ ...parked, resolved: true })).toEqual({ status: 'RESOLVED', pending: [], pastPivot: false });
  });

  it('a step past the pivot that gave up parks too; a duplicate fact changes nothing', () => {
    const approved = run(ev('OrderApproved'));
    const parked = apply(approved, ev('ReactionFailed', { step: 'commitStock', reason: 'STOCK_RELEASED' }));
    expect(derive(parked)).toMatchObject({ status: 'NEEDS_ATTENTION', pastPivot: true });
    expect(apply(parked, ev('OrderApproved'))).toEqual(parked);
  });

  it('types each event as a history entry: which step it ends, how, and which steps it asks for next', () => {
    const asked = (e: DomainEvent) =>
      requestedBy({ ...entryOf(e), step: entryOf(e).step ?? null, detail: entryOf(e).detail ?? null, event: e.type });
    expect(entryOf(ev('OrderCreated'))).toEqual({ kind: 'started' });
    expect(asked(ev('OrderCreated'))).toEqual(['reserveStock']);
    expect(entryOf(ev('StockReserved'))).toEqual({ kind: 'succeeded', step: 'reserveStock' });
    expect(asked(ev('StockReserved'))).toEqual(['authorizePayment']);
    expect(entryOf(ev('PaymentDeclined', { reason: 'INSUFFICIENT_CREDIT' }))).toEqual({
      kind: 'refused',
      step: 'authorizePayment',
      detail: 'INSUFFICIENT_CREDIT',
    });
    expect(asked(ev('PaymentDeclined', { reason: 'INSUFFICIENT_CREDIT' }))).toEqual(['rejectOrder']);
    expect(asked(ev('OrderApproved'))).toEqual(['commitStock', 'notifyConfirmed']);
    expect(asked(ev('OrderRejected', { reason: 'X' }))).toEqual(['voidPayment']);
    expect(asked(ev('PaymentVoided'))).toEqual(['releaseStock']);
    expect(asked(ev('StockReleased'))).toEqual(['notifyRejected']);
    expect(entryOf(ev('NotificationSent', { kind: 'rejected' }))).toEqual({
      kind: 'succeeded',
      step: 'notifyRejected',
    });
    expect(asked(ev('NotificationSent', { kind: 'rejected' }))).toEqual([]);
    // A forward step that gave up asks for the verdict; a compensation that gave up parks (nothing asked).
    expect(
      asked(ev('ReactionFailed', { step: 'authorizePayment', reason: 'RETRIES_EXHAUSTED:authorizePayment' })),
    ).toEqual(['rejectOrder']);
    expect(asked(ev('ReactionFailed', { step: 'releaseStock', reason: 'RETRIES_EXHAUSTED:releaseStock' }))).toEqual([]);
    expect(requestedBy({ kind: 'deadline', event: null, step: null, detail: null })).toEqual(['rejectOrder']);
    expect(
      requestedBy({
        kind: 'ignored',
        event: 'PaymentAuthorized',
        step: null,
        detail: 'PaymentAuthorized: saga is REJECTED',
      }),
    ).toEqual([]);
    expect(
      requestedBy({ kind: 'operator', event: null, step: 'commitStock, notifyConfirmed', detail: 'retry' }),
    ).toEqual(['commitStock', 'notifyConfirmed']);
  });
});
