/** Payment decisions: pure functions over a customer's credit and the order's hold, no IO. */
import type { OrderOutcome } from '@saga/contracts';

export interface Customer {
  id: string;
  creditLimitCents: number;
  heldCents: number;
}

export interface Hold {
  orderId: string;
  customerId: string;
  amountCents: number;
  status: 'HELD' | 'VOIDED';
}

export type AuthorizeDecision =
  | { kind: 'hold'; amountCents: number }
  | { kind: 'already-held'; hold: Hold }
  | {
      kind: 'refuse';
      reason: 'INSUFFICIENT_CREDIT' | 'UNKNOWN_CUSTOMER' | 'PAYMENT_VOIDED' | 'INVALID_AMOUNT';
      detail: string;
    };

/** Holds the amount when it fits in the customer's remaining credit (exactly the limit fits). */
export const decideAuthorize = (
  customer: Customer | undefined,
  existing: Hold | undefined,
  amountCents: number,
): AuthorizeDecision => {
  if (existing?.status === 'HELD') return { kind: 'already-held', hold: existing };
  if (existing?.status === 'VOIDED')
    return { kind: 'refuse', reason: 'PAYMENT_VOIDED', detail: 'the payment for this order was already voided' };
  if (!Number.isSafeInteger(amountCents) || amountCents < 0)
    return { kind: 'refuse', reason: 'INVALID_AMOUNT', detail: `amount must be whole cents ≥ 0, got ${amountCents}` };
  if (!customer) return { kind: 'refuse', reason: 'UNKNOWN_CUSTOMER', detail: 'no such customer' };
  const available = customer.creditLimitCents - customer.heldCents;
  if (amountCents > available) {
    return {
      kind: 'refuse',
      reason: 'INSUFFICIENT_CREDIT',
      detail: `amount ${amountCents} exceeds available credit ${available}`,
    };
  }
  return { kind: 'hold', amountCents };
};

export type VoidDecision =
  | { kind: 'void'; hold: Hold }
  | { kind: 'tombstone' }
  | { kind: 'noop' }
  | { kind: 'refuse'; reason: 'ORDER_APPROVED'; detail: string };

/**
 * Releases exactly this order's hold; with no hold yet, leaves a tombstone so a late authorize
 * holds nothing. Never once the order is approved: a void then is a late or rogue coordinator's.
 */
export const decideVoid = (existing: Hold | undefined, outcome: OrderOutcome | undefined): VoidDecision => {
  if (outcome === 'APPROVED')
    return { kind: 'refuse', reason: 'ORDER_APPROVED', detail: 'the order was approved: its payment is not voided' };
  if (!existing) return { kind: 'tombstone' };
  return existing.status === 'HELD' ? { kind: 'void', hold: existing } : { kind: 'noop' };
};
