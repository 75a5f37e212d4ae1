import type { OrderOutcome } from '@saga/contracts';
import type { Queryable } from '@saga/postgres';

/**
 * The `order_outcomes` table of a service that holds resources for orders (each service's own
 * migration creates it): the fate learnt from `order.events` (ADR 0012).
 */
export const orderOutcomes = (db: Queryable) => ({
  async get(orderId: string): Promise<OrderOutcome | undefined> {
    return (
      await db.query<{ outcome: OrderOutcome }>('SELECT outcome FROM order_outcomes WHERE order_id = $1', [orderId])
    ).rows[0]?.outcome;
  },
  /** Records the order's fate once (a redelivered event changes nothing). */
  async record(orderId: string, outcome: OrderOutcome) {
    await db.query('INSERT INTO order_outcomes (order_id, outcome) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      orderId,
      outcome,
    ]);
  },
});
