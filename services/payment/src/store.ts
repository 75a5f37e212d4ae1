import type { Queryable } from '@saga/postgres';
import type { Customer, Hold } from './domain/credit.ts';

/** Postgres adapter of the payment service; reads a decision rests on lock their rows. */
export const paymentStore = (db: Queryable) => ({
  async lockCustomer(id: string): Promise<Customer | undefined> {
    const { rows } = await db.query<Customer>(
      'SELECT id, credit_limit_cents AS "creditLimitCents", held_cents AS "heldCents" FROM customers WHERE id = $1 FOR UPDATE',
      [id],
    );
    return rows[0];
  },

  async lockHold(orderId: string): Promise<Hold | undefined> {
    const { rows } = await db.query<Hold>(
      `SELECT order_id AS "orderId", customer_id AS "customerId", amount_cents AS "amountCents", status
       FROM holds WHERE order_id = $1 FOR UPDATE`,
      [orderId],
    );
    return rows[0];
  },

  async hold(orderId: string, customerId: string, amountCents: number) {
    await db.query('UPDATE customers SET held_cents = held_cents + $2 WHERE id = $1', [customerId, amountCents]);
    await db.query(`INSERT INTO holds (order_id, customer_id, amount_cents, status) VALUES ($1, $2, $3, 'HELD')`, [
      orderId,
      customerId,
      amountCents,
    ]);
  },

  async void(hold: Hold) {
    await db.query('UPDATE customers SET held_cents = held_cents - $2 WHERE id = $1', [
      hold.customerId,
      hold.amountCents,
    ]);
    await db.query(`UPDATE holds SET status = 'VOIDED', updated_at = now() WHERE order_id = $1`, [hold.orderId]);
  },

  async tombstone(orderId: string, customerId: string) {
    await db.query(
      `INSERT INTO holds (order_id, customer_id, amount_cents, status) VALUES ($1, $2, 0, 'VOIDED') ON CONFLICT DO NOTHING`,
      [orderId, customerId],
    );
  },

  /** Creates or updates customers; an id given twice takes its last limit (one row per statement). */
  async upsertCustomers(given: { id: string; creditLimitCents: number }[]) {
    const customers = [...new Map(given.map((c) => [c.id, c])).values()];
    await db.query(
      `INSERT INTO customers (id, credit_limit_cents)
       SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (id) DO UPDATE SET credit_limit_cents = EXCLUDED.credit_limit_cents`,
      [customers.map((c) => c.id), customers.map((c) => c.creditLimitCents)],
    );
  },

  async customer(id: string) {
    const { rows } = await db.query<Customer>(
      'SELECT id, credit_limit_cents AS "creditLimitCents", held_cents AS "heldCents" FROM customers WHERE id = $1',
      [id],
    );
    return rows[0];
  },
});
