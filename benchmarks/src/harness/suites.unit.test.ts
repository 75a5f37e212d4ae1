import { describe, expect, it } from 'vitest';
import { DEFAULT_SPREAD, happyOrder, happySeed } from './suites.ts';

describe('happy orders spread over products and customers', () => {
  it('takes each product and customer in turn, so no row takes every order of a step', () => {
    const orders = Array.from({ length: 10 * DEFAULT_SPREAD }, (_, i) => happyOrder(i));
    const perSku = new Map<string, number>();
    for (const o of orders) perSku.set(o.lines[0]!.sku, (perSku.get(o.lines[0]!.sku) ?? 0) + 1);
    expect(perSku.size).toBe(DEFAULT_SPREAD);
    expect(new Set(perSku.values())).toEqual(new Set([10]));
    expect(new Set(orders.map((o) => o.customerId)).size).toBe(DEFAULT_SPREAD);
  });

  it('seeds stock and credit for every product and customer an order can name', () => {
    const seed = happySeed();
    const skus = new Set(seed.stock.filter((s) => s.quantity > 0).map((s) => s.sku));
    const customers = new Set(seed.customers.filter((c) => c.creditLimitCents > 0).map((c) => c.id));
    for (let i = 0; i < 3 * DEFAULT_SPREAD; i++) {
      const o = happyOrder(i);
      expect(skus.has(o.lines[0]!.sku)).toBe(true);
      expect(customers.has(o.customerId)).toBe(true);
    }
  });

  it('puts every happy order on one product and one customer with a spread of 1, as the runs before the spread did', () => {
    expect(new Set(Array.from({ length: 50 }, (_, i) => JSON.stringify(happyOrder(i, 1))))).toEqual(
      new Set([JSON.stringify(happyOrder(0, 1))]),
    );
    expect(happySeed(1).stock).toHaveLength(1);
  });
});
