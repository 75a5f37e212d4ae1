import type { Queryable } from '@saga/postgres';
import type { Product, Reservation, StockLine } from './domain/stock.ts';

/** Postgres adapter of the inventory: every read that a decision rests on locks its rows. */
export const inventoryStore = (db: Queryable) => ({
  /** Locks the products in sku order (every transaction locks in the same order: no deadlock). */
  async lockProducts(skus: string[]): Promise<Map<string, Product>> {
    const { rows } = await db.query<Product>(
      `SELECT sku, on_hand AS "onHand", reserved, committed FROM products
       WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
      [skus],
    );
    return new Map(rows.map((p) => [p.sku, p]));
  },

  async reservations(orderId: string): Promise<Reservation[]> {
    const { rows } = await db.query<Reservation>(
      'SELECT sku, quantity, status FROM reservations WHERE order_id = $1 ORDER BY sku FOR UPDATE',
      [orderId],
    );
    return rows;
  },

  async isReleased(orderId: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM released_orders WHERE order_id = $1', [orderId]);
    return (rowCount ?? 0) > 0;
  },

  async reserve(orderId: string, lines: StockLine[]) {
    await db.query(
      `UPDATE products p SET on_hand = p.on_hand - l.q, reserved = p.reserved + l.q
       FROM unnest($1::text[], $2::int[]) AS l(sku, q) WHERE p.sku = l.sku`,
      [lines.map((l) => l.sku), lines.map((l) => l.quantity)],
    );
    await db.query(
      `INSERT INTO reservations (order_id, sku, quantity, status)
       SELECT $1, sku, q, 'RESERVED' FROM unnest($2::text[], $3::int[]) AS l(sku, q)`,
      [orderId, lines.map((l) => l.sku), lines.map((l) => l.quantity)],
    );
  },

  /** Moves a saga's reserved lines back on hand (release) or on to committed (commit). */
  async settle(orderId: string, lines: StockLine[], to: 'RELEASED' | 'COMMITTED') {
    if (lines.length > 0) {
      const target = to === 'RELEASED' ? 'on_hand' : 'committed';
      await db.query(
        `UPDATE products p SET reserved = p.reserved - l.q, ${target} = p.${target} + l.q
         FROM unnest($1::text[], $2::int[]) AS l(sku, q) WHERE p.sku = l.sku`,
        [lines.map((l) => l.sku), lines.map((l) => l.quantity)],
      );
      await db.query(
        `UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1 AND status = 'RESERVED'`,
        [orderId, to],
      );
    }
    if (to === 'RELEASED') {
      await db.query('INSERT INTO released_orders (order_id) VALUES ($1) ON CONFLICT DO NOTHING', [orderId]);
    }
  },

  /** Adds stock (seeding for tests and benchmarks): on hand and seeded grow together. */
  async addStock(lines: StockLine[]) {
    await db.query(
      `INSERT INTO products (sku, on_hand, seeded)
       SELECT sku, q, q FROM unnest($1::text[], $2::int[]) AS l(sku, q)
       ON CONFLICT (sku) DO UPDATE SET on_hand = products.on_hand + EXCLUDED.on_hand, seeded = products.seeded + EXCLUDED.seeded`,
      [lines.map((l) => l.sku), lines.map((l) => l.quantity)],
    );
  },

  async product(sku: string): Promise<(Product & { seeded: number }) | undefined> {
    const { rows } = await db.query<Product & { seeded: number }>(
      'SELECT sku, on_hand AS "onHand", reserved, committed, seeded FROM products WHERE sku = $1',
      [sku],
    );
    return rows[0];
  },
});
