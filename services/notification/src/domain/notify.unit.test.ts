import { describe, expect, it } from 'vitest';
import { decideNotify, messageFor, type OrderFate } from './notify.ts';

const approved: OrderFate = { outcome: 'APPROVED', customerId: 'c' };
const rejected: OrderFate = { outcome: 'REJECTED', customerId: 'c' };
const sent = (kind: 'confirmed' | 'rejected') => ({
  orderId: 'o1',
  customerId: 'c',
  kind,
  message: messageFor('o1', kind),
});

describe('decideNotify', () => {
  it("sends the first notification of the order's outcome with its message", () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'confirmed' }, approved, [])).toEqual({
      kind: 'send',
      notification: { orderId: 'o1', customerId: 'c', kind: 'confirmed', message: 'Your order o1 is confirmed.' },
    });
  });
  it('decides nothing while the outcome is not known', () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, undefined, [])).toMatchObject({
      kind: 'not-yet',
    });
  });
  it('refuses a kind that contradicts the outcome (an early, late or rogue coordinator)', () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, approved, [])).toMatchObject({
      kind: 'refuse',
      reason: 'OUTCOME_CONTRADICTS_ORDER',
    });
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'confirmed' }, rejected, [])).toMatchObject({
      kind: 'refuse',
      reason: 'OUTCOME_CONTRADICTS_ORDER',
    });
  });
  it("refuses another customer than the order's; takes any when the verdict did not name one", () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'x', kind: 'confirmed' }, approved, [])).toMatchObject({
      kind: 'refuse',
      reason: 'NOT_THE_ORDERS_CUSTOMER',
    });
    expect(
      decideNotify({ orderId: 'o1', customerId: 'x', kind: 'confirmed' }, { ...approved, customerId: null }, []),
    ).toMatchObject({ kind: 'send' });
  });
  it('sends nothing when that order already got that kind', () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, rejected, [sent('rejected')])).toEqual({
      kind: 'already-sent',
      notification: sent('rejected'),
    });
  });
  it('refuses the outcome once the customer was told the other one (rows from before the outcome was heard)', () => {
    expect(
      decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, rejected, [sent('confirmed')]),
    ).toMatchObject({ kind: 'refuse', reason: 'OUTCOME_ALREADY_NOTIFIED' });
  });
  it('words the two kinds differently', () => {
    expect(messageFor('x', 'confirmed')).not.toBe(messageFor('x', 'rejected'));
  });
});
