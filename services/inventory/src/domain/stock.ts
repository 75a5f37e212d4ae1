/** Inventory decisions: pure functions over the current stock, no IO. */
import type { OrderOutcome } from '@saga/contracts';

export interface Product {
  sku: string;
  onHand: number;
  reserved: number;
  committed: number;
}

export interface StockLine {
  sku: string;
  quantity: number;
}

export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'COMMITTED';
export interface Reservation extends StockLine {
  status: ReservationStatus;
}

export type ReserveDecision =
  | { kind: 'reserve'; lines: StockLine[] }
  | { kind: 'already-reserved'; lines: StockLine[] }
  | { kind: 'refuse'; reason: 'OUT_OF_STOCK' | 'INVALID_LINES' | 'ORDER_RELEASED'; detail: string; skus: string[] };

/** Lines with the same sku summed, in sku order (the order rows are locked in, so no deadlocks). */
export const mergeLines = (lines: StockLine[]): StockLine[] => {
  const bySku = new Map<string, number>();
  for (const l of lines) bySku.set(l.sku, (bySku.get(l.sku) ?? 0) + l.quantity);
  return [...bySku].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
};

/**
 * Reserve every line or none. Unknown skus count as out of stock (named in the detail).
 * A saga that already reserved gets its reservation back; one already released gets nothing.
 */
export const decideReserve = (
  lines: StockLine[],
  stock: ReadonlyMap<string, Product>,
  existing: Reservation[],
  released: boolean,
): ReserveDecision => {
  if (released)
    return { kind: 'refuse', reason: 'ORDER_RELEASED', detail: 'stock for this order was already released', skus: [] };
  if (existing.length > 0)
    return { kind: 'already-reserved', lines: existing.map(({ sku, quantity }) => ({ sku, quantity })) };
  const invalid = lines.filter((l) => !Number.isInteger(l.quantity) || l.quantity <= 0);
  if (lines.length === 0 || invalid.length > 0) {
    return {
      kind: 'refuse',
      reason: 'INVALID_LINES',
      detail: 'every line needs a positive whole quantity',
      skus: invalid.map((l) => l.sku),
    };
  }
  const merged = mergeLines(lines);
  const unknown = merged.filter((l) => !stock.has(l.sku)).map((l) => l.sku);
  const short = merged.filter((l) => stock.has(l.sku) && stock.get(l.sku)!.onHand < l.quantity).map((l) => l.sku);
  if (unknown.length > 0 || short.length > 0) {
    const parts = [
      ...(short.length ? [`not enough on hand: ${short.join(', ')}`] : []),
      ...(unknown.length ? [`unknown sku: ${unknown.join(', ')}`] : []),
    ];
    return { kind: 'refuse', reason: 'OUT_OF_STOCK', detail: parts.join('; '), skus: [...short, ...unknown].sort() };
  }
  return { kind: 'reserve', lines: merged };
};

export type SettleDecision =
  | { kind: 'settle'; lines: StockLine[] }
  | {
      kind: 'refuse';
      reason: 'ORDER_APPROVED' | 'STOCK_COMMITTED' | 'ORDER_REJECTED' | 'STOCK_RELEASED';
      detail: string;
    };

/**
 * Release (a compensation): exactly what the saga holds — unless the order was approved or its
 * stock committed, which no compensation may undo (a late or rogue coordinator). Releasing
 * before anything was reserved settles nothing and leaves the tombstone.
 */
export const decideRelease = (existing: Reservation[], outcome: OrderOutcome | undefined): SettleDecision => {
  if (outcome === 'APPROVED')
    return { kind: 'refuse', reason: 'ORDER_APPROVED', detail: 'the order was approved: its stock is not released' };
  if (existing.some((r) => r.status === 'COMMITTED'))
    return { kind: 'refuse', reason: 'STOCK_COMMITTED', detail: 'the stock of this order was committed' };
  return { kind: 'settle', lines: heldLines(existing) };
};

/** Commit (after the pivot): what the saga holds — never for a rejected order or released stock. */
export const decideCommit = (
  existing: Reservation[],
  outcome: OrderOutcome | undefined,
  released: boolean,
): SettleDecision => {
  if (outcome === 'REJECTED')
    return { kind: 'refuse', reason: 'ORDER_REJECTED', detail: 'the order was rejected: nothing is committed' };
  if (released || existing.some((r) => r.status === 'RELEASED'))
    return { kind: 'refuse', reason: 'STOCK_RELEASED', detail: 'the stock of this order was released' };
  return { kind: 'settle', lines: heldLines(existing) };
};

/** The lines a saga still holds as reserved: what ReleaseStock returns and CommitStock commits. */
export const heldLines = (existing: Reservation[]): StockLine[] =>
  existing.filter((r) => r.status === 'RESERVED').map(({ sku, quantity }) => ({ sku, quantity }));
