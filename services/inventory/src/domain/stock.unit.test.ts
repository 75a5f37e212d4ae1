import { describe, expect, it } from 'vitest';
import {
  decideCommit,
  decideRelease,
  decideReserve,
  heldLines,
  mergeLines,
  type Product,
  type Reservation,
} from './stock.ts';

const stock = (...ps: [string, number][]) =>
  new Map<string, Product>(ps.map(([sku, onHand]) => [sku, { sku, onHand, reserved: 0, committed: 0 }]));

describe('decideReserve', () => {
  it('reserves every line when all are on hand, merging repeated skus', () => {
    const d = decideReserve(
      [
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 2 },
      ],
      stock(['A', 2], ['B', 3]),
      [],
      false,
    );
    expect(d).toEqual({
      kind: 'reserve',
      lines: [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ],
    });
  });

  it('reserves nothing when one line is short, naming the short skus', () => {
    const d = decideReserve(
      [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 4 },
      ],
      stock(['A', 5], ['B', 3]),
      [],
      false,
    );
    expect(d).toMatchObject({ kind: 'refuse', reason: 'OUT_OF_STOCK', skus: ['B'] });
  });

  it('counts repeated lines together against what is on hand', () => {
    const d = decideReserve(
      [
        { sku: 'A', quantity: 2 },
        { sku: 'A', quantity: 2 },
      ],
      stock(['A', 3]),
      [],
      false,
    );
    expect(d).toMatchObject({ kind: 'refuse', reason: 'OUT_OF_STOCK', skus: ['A'] });
  });

  it('treats an unknown sku as out of stock and says it is unknown', () => {
    const d = decideReserve([{ sku: 'ZZ', quantity: 1 }], stock(['A', 5]), [], false);
    expect(d).toEqual({ kind: 'refuse', reason: 'OUT_OF_STOCK', detail: 'unknown sku: ZZ', skus: ['ZZ'] });
  });

  it('refuses a zero or negative quantity', () => {
    expect(decideReserve([{ sku: 'A', quantity: 0 }], stock(['A', 5]), [], false)).toMatchObject({
      kind: 'refuse',
      reason: 'INVALID_LINES',
      skus: ['A'],
    });
    expect(decideReserve([{ sku: 'A', quantity: -1 }], stock(['A', 5]), [], false)).toMatchObject({
      reason: 'INVALID_LINES',
    });
  });

  it('reserves exactly what is on hand', () => {
    expect(decideReserve([{ sku: 'A', quantity: 5 }], stock(['A', 5]), [], false)).toMatchObject({ kind: 'reserve' });
  });

  it('returns the existing reservation instead of reserving twice', () => {
    const existing: Reservation[] = [{ sku: 'A', quantity: 2, status: 'RESERVED' }];
    expect(decideReserve([{ sku: 'A', quantity: 2 }], stock(['A', 0]), existing, false)).toEqual({
      kind: 'already-reserved',
      lines: [{ sku: 'A', quantity: 2 }],
    });
  });

  it('refuses to reserve for an order whose stock was already released (late command after compensation)', () => {
    expect(decideReserve([{ sku: 'A', quantity: 1 }], stock(['A', 5]), [], true)).toMatchObject({
      kind: 'refuse',
      reason: 'ORDER_RELEASED',
    });
  });
});

describe('heldLines', () => {
  it('is what is still reserved; a repeated release finds nothing', () => {
    const rs: Reservation[] = [
      { sku: 'A', quantity: 2, status: 'RESERVED' },
      { sku: 'B', quantity: 1, status: 'RELEASED' },
      { sku: 'C', quantity: 1, status: 'COMMITTED' },
    ];
    expect(heldLines(rs)).toEqual([{ sku: 'A', quantity: 2 }]);
    expect(heldLines(rs.map((r) => ({ ...r, status: r.status === 'RESERVED' ? 'RELEASED' : r.status })))).toEqual([]);
  });
  it('sorts merged lines by sku', () => {
    expect(
      mergeLines([
        { sku: 'b', quantity: 1 },
        { sku: 'a', quantity: 1 },
      ]).map((l) => l.sku),
    ).toEqual(['a', 'b']);
  });
});

describe('decideRelease and decideCommit: what no late or rogue coordinator can undo', () => {
  const reserved: Reservation[] = [{ sku: 'A', quantity: 2, status: 'RESERVED' }];
  it('releases what is reserved, and nothing (the tombstone) before a reserve', () => {
    expect(decideRelease(reserved, undefined)).toEqual({ kind: 'settle', lines: [{ sku: 'A', quantity: 2 }] });
    expect(decideRelease([], 'REJECTED')).toEqual({ kind: 'settle', lines: [] });
  });
  it('refuses to release the stock of an approved order or committed stock', () => {
    expect(decideRelease(reserved, 'APPROVED')).toMatchObject({ kind: 'refuse', reason: 'ORDER_APPROVED' });
    expect(decideRelease([{ sku: 'A', quantity: 2, status: 'COMMITTED' }], undefined)).toMatchObject({
      kind: 'refuse',
      reason: 'STOCK_COMMITTED',
    });
  });
  it('commits what is reserved, never for a rejected order or released stock', () => {
    expect(decideCommit(reserved, 'APPROVED', false)).toEqual({ kind: 'settle', lines: [{ sku: 'A', quantity: 2 }] });
    expect(decideCommit(reserved, 'REJECTED', false)).toMatchObject({ kind: 'refuse', reason: 'ORDER_REJECTED' });
    expect(decideCommit([], undefined, true)).toMatchObject({ kind: 'refuse', reason: 'STOCK_RELEASED' });
    expect(decideCommit([{ sku: 'A', quantity: 2, status: 'RELEASED' }], undefined, false)).toMatchObject({
      kind: 'refuse',
      reason: 'STOCK_RELEASED',
    });
  });
});
