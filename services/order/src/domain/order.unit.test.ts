import { describe, expect, it } from 'vitest';
import { CreateOrder, decideTransition, totalCents } from './order.ts';

describe('CreateOrder', () => {
  it('accepts a valid order', () => {
    expect(
      CreateOrder.safeParse({ customerId: 'c1', lines: [{ sku: 'A', quantity: 2, unitPriceCents: 150 }] }).success,
    ).toBe(true);
  });
  it('lists every problem at once', () => {
    const r = CreateOrder.safeParse({
      customerId: '',
      lines: [{ sku: 'A', quantity: 0, unitPriceCents: -1 }],
      extra: 1,
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['customerId', 'lines.0.quantity', 'lines.0.unitPriceCents']));
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
  it('refuses a repeated sku', () => {
    const r = CreateOrder.safeParse({
      customerId: 'c',
      lines: [
        { sku: 'A', quantity: 1, unitPriceCents: 1 },
        { sku: 'A', quantity: 1, unitPriceCents: 1 },
      ],
    });
    expect(r.error!.issues[0]!.path).toEqual(['lines', 1, 'sku']);
  });
});

describe('totalCents', () => {
  it('sums quantity × unit price in integer cents', () => {
    expect(
      totalCents([
        { sku: 'A', quantity: 3, unitPriceCents: 199 },
        { sku: 'B', quantity: 1, unitPriceCents: 1 },
      ]),
    ).toBe(598);
  });
});

describe('decideTransition', () => {
  it('moves a pending order once', () => {
    expect(decideTransition('PENDING', 'APPROVED')).toEqual({ kind: 'transition', to: 'APPROVED' });
    expect(decideTransition('PENDING', 'REJECTED')).toEqual({ kind: 'transition', to: 'REJECTED' });
  });
  it('treats a repeat of the same decision as done', () => {
    expect(decideTransition('APPROVED', 'APPROVED')).toEqual({ kind: 'noop' });
  });
  it('never changes a decided order', () => {
    expect(decideTransition('REJECTED', 'APPROVED')).toEqual({ kind: 'refuse', reason: 'ORDER_ALREADY_REJECTED' });
    expect(decideTransition('APPROVED', 'REJECTED')).toEqual({ kind: 'refuse', reason: 'ORDER_ALREADY_APPROVED' });
  });
  it('refuses an unknown order', () => {
    expect(decideTransition(undefined, 'APPROVED')).toEqual({ kind: 'refuse', reason: 'ORDER_NOT_FOUND' });
  });
});
