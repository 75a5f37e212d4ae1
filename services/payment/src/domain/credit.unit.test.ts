import { describe, expect, it } from 'vitest';
import { decideAuthorize, decideVoid, type Customer, type Hold } from './credit.ts';

const alice: Customer = { id: 'alice', creditLimitCents: 10_000, heldCents: 2_500 };
const hold = (status: Hold['status'], amountCents = 1_000): Hold => ({
  orderId: 'o1',
  customerId: 'alice',
  amountCents,
  status,
});

describe('decideAuthorize', () => {
  it('holds an amount within the remaining credit', () => {
    expect(decideAuthorize(alice, undefined, 5_000)).toEqual({ kind: 'hold', amountCents: 5_000 });
  });
  it('holds exactly the remaining credit', () => {
    expect(decideAuthorize(alice, undefined, 7_500)).toEqual({ kind: 'hold', amountCents: 7_500 });
  });
  it('refuses one cent over the limit', () => {
    expect(decideAuthorize(alice, undefined, 7_501)).toMatchObject({ kind: 'refuse', reason: 'INSUFFICIENT_CREDIT' });
  });
  it('refuses an unknown customer and a fractional amount', () => {
    expect(decideAuthorize(undefined, undefined, 1)).toMatchObject({ reason: 'UNKNOWN_CUSTOMER' });
    expect(decideAuthorize(alice, undefined, 10.5)).toMatchObject({ reason: 'INVALID_AMOUNT' });
  });
  it('returns the existing hold instead of holding twice', () => {
    expect(decideAuthorize(alice, hold('HELD'), 1_000)).toEqual({ kind: 'already-held', hold: hold('HELD') });
  });
  it('holds nothing for an order whose payment was already voided (late command after compensation)', () => {
    expect(decideAuthorize(alice, hold('VOIDED', 0), 1_000)).toMatchObject({
      kind: 'refuse',
      reason: 'PAYMENT_VOIDED',
    });
  });
});

describe('decideVoid', () => {
  it('voids a held hold, and a repeated void is a no-op', () => {
    expect(decideVoid(hold('HELD'), undefined)).toEqual({ kind: 'void', hold: hold('HELD') });
    expect(decideVoid(hold('VOIDED'), undefined)).toEqual({ kind: 'noop' });
  });
  it('leaves a tombstone when nothing was held yet', () => {
    expect(decideVoid(undefined, undefined)).toEqual({ kind: 'tombstone' });
  });
  it('never voids the payment of an approved order (a late or rogue coordinator), and voids a rejected one', () => {
    expect(decideVoid(hold('HELD'), 'APPROVED')).toMatchObject({ kind: 'refuse', reason: 'ORDER_APPROVED' });
    expect(decideVoid(undefined, 'APPROVED')).toMatchObject({ kind: 'refuse', reason: 'ORDER_APPROVED' });
    expect(decideVoid(hold('HELD'), 'REJECTED')).toEqual({ kind: 'void', hold: hold('HELD') });
  });
});
