import { describe, expect, it } from 'vitest';
import { decideNotify, messageFor } from './notify.ts';

describe('decideNotify', () => {
  it('sends the first notification of a kind with its message', () => {
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'confirmed' }, [])).toEqual({
      kind: 'send',
      notification: { orderId: 'o1', customerId: 'c', kind: 'confirmed', message: 'Your order o1 is confirmed.' },
    });
  });
  it('sends nothing when that order already got that kind', () => {
    const existing = {
      orderId: 'o1',
      customerId: 'c',
      kind: 'rejected' as const,
      message: messageFor('o1', 'rejected'),
    };
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, [existing])).toEqual({
      kind: 'already-sent',
      notification: existing,
    });
  });
  it('refuses the other outcome once the customer was told one (a late or rogue coordinator)', () => {
    const confirmed = {
      orderId: 'o1',
      customerId: 'c',
      kind: 'confirmed' as const,
      message: messageFor('o1', 'confirmed'),
    };
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'rejected' }, [confirmed])).toMatchObject({
      kind: 'refuse',
      reason: 'OUTCOME_ALREADY_NOTIFIED',
    });
    const rejected = { ...confirmed, kind: 'rejected' as const, message: messageFor('o1', 'rejected') };
    expect(decideNotify({ orderId: 'o1', customerId: 'c', kind: 'confirmed' }, [rejected])).toMatchObject({
      kind: 'refuse',
      reason: 'OUTCOME_ALREADY_NOTIFIED',
    });
  });
  it('words the two kinds differently', () => {
    expect(messageFor('x', 'confirmed')).not.toBe(messageFor('x', 'rejected'));
  });
});
