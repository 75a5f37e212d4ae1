import type { Queryable } from '@saga/postgres';
import type { OrderLine, OrderStatus } from './domain/order.ts';

export interface OrderRow {
  id: string;
  customerId: string;
  lines: OrderLine[];
  totalCents: number;
  status: OrderStatus;
  reason: string | null;
  requestHash: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = `id, customer_id AS "customerId", lines, total_cents AS "totalCents", status, reason,
  request_hash AS "requestHash", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Postgres adapter of the order service. */
export const orderStore = (db: Queryable) => ({
  async insert(o: {
    id: string;
    customerId: string;
    lines: OrderLine[];
    totalCents: number;
    idempotencyKey?: string;
    requestHash?: string;
  }) {
    await db.query(
      `INSERT INTO orders (id, customer_id, lines, total_cents, status, idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4, 'PENDING', $5, $6)`,
      [o.id, o.customerId, JSON.stringify(o.lines), o.totalCents, o.idempotencyKey ?? null, o.requestHash ?? null],
    );
    await db.query(`INSERT INTO order_status_history (order_id, status) VALUES ($1, 'PENDING')`, [o.id]);
  },

  async byIdempotencyKey(key: string): Promise<OrderRow | undefined> {
    return (await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE idempotency_key = $1`, [key])).rows[0];
  },

  async get(id: string, lock = false): Promise<OrderRow | undefined> {
    return (await db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]))
      .rows[0];
  },

  async setStatus(id: string, status: OrderStatus, reason: string | null) {
    await db.query('UPDATE orders SET status = $2, reason = $3, updated_at = now() WHERE id = $1', [
      id,
      status,
      reason,
    ]);
    await db.query('INSERT INTO order_status_history (order_id, status, reason) VALUES ($1, $2, $3)', [
      id,
      status,
      reason,
    ]);
  },

  async history(id: string) {
    return (
      await db.query<{ status: OrderStatus; reason: string | null; at: string }>(
        'SELECT status, reason, at FROM order_status_history WHERE order_id = $1 ORDER BY id',
        [id],
      )
    ).rows;
  },

  async page(status: OrderStatus | undefined, page: number, pageSize: number) {
    const where = status ? 'WHERE status = $3' : '';
    const params: unknown[] = [pageSize, (page - 1) * pageSize, ...(status ? [status] : [])];
    const items = await db.query<Omit<OrderRow, 'lines' | 'requestHash'>>(
      `SELECT id, customer_id AS "customerId", total_cents AS "totalCents", status, reason, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM orders ${where} ORDER BY created_at, id LIMIT $1 OFFSET $2`,
      params,
    );
    const total = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders ${status ? 'WHERE status = $1' : ''}`,
      status ? [status] : [],
    );
    return { items: items.rows, total: total.rows[0]!.n };
  },
});
