import { databaseUrl } from '@saga/config';
import { createPool } from '@saga/postgres';
import { estimate, type Estimate } from '../evidence.ts';

/** When the services committed each saga's milestones, by their own clocks (one PostgreSQL server). */
export interface SagaTimes {
  /** The order's row written (POST /orders). */
  createdAt: number;
  /** Its verdict recorded (APPROVED or REJECTED), and which. */
  decidedAt?: number;
  verdict?: string;
  /** The customer's notification recorded: the saga's last step. */
  notifiedAt?: number;
}

/**
 * Each order's milestones as the order and notification services committed them: created, decided
 * (its first APPROVED/REJECTED in the status history) and notified — so a latency is the system's,
 * without the harness's consumer or event-loop lag.
 */
export const commitTimes = async (
  postgresUrl: string,
  db: { order: string; notification: string },
  ids: string[],
): Promise<Map<string, SagaTimes>> => {
  const out = new Map<string, SagaTimes>();
  if (ids.length === 0) return out;
  const orders = createPool(databaseUrl(postgresUrl, db.order), { max: 1 });
  const notes = createPool(databaseUrl(postgresUrl, db.notification), { max: 1 });
  try {
    const [o, n] = await Promise.all([
      orders.query<{ id: string; created: Date; decided: Date | null; verdict: string | null }>(
        `SELECT o.id, coalesce(c.at, o.created_at) AS created, h.at AS decided, h.status AS verdict FROM orders o
         LEFT JOIN LATERAL (SELECT at FROM order_status_history
                            WHERE order_id = o.id AND status = 'PENDING' ORDER BY id LIMIT 1) c ON true
         LEFT JOIN LATERAL (SELECT at, status FROM order_status_history
                            WHERE order_id = o.id AND status IN ('APPROVED', 'REJECTED') ORDER BY id LIMIT 1) h ON true
         WHERE o.id = ANY($1)`,
        [ids],
      ),
      notes.query<{ id: string; at: Date }>(
        'SELECT order_id AS id, min(created_at) AS at FROM notifications WHERE order_id = ANY($1) GROUP BY order_id',
        [ids],
      ),
    ]);
    for (const r of o.rows)
      out.set(r.id, {
        createdAt: r.created.getTime(),
        ...(r.decided ? { decidedAt: r.decided.getTime(), verdict: r.verdict! } : {}),
      });
    for (const r of n.rows) {
      const t = out.get(r.id);
      if (t) t.notifiedAt = r.at.getTime();
    }
    return out;
  } finally {
    await Promise.all([orders.end(), notes.end()]);
  }
};

/** A step's latencies by the services' clocks: decided and done, each with its evidence; the sagas not done. */
export interface CommittedLatency {
  decided: Estimate;
  done: Estimate;
  /** Sagas with no verdict, or no notification, recorded after the drain: errors, not left out. */
  notDecided: number;
  notDone: number;
}

export const committedLatency = (times: Map<string, SagaTimes>, ids: string[], seed: number): CommittedLatency => {
  const decided: number[] = [];
  const done: number[] = [];
  for (const id of ids) {
    const t = times.get(id);
    if (t?.decidedAt !== undefined) decided.push(t.decidedAt - t.createdAt);
    if (t?.notifiedAt !== undefined) done.push(t.notifiedAt - t.createdAt);
  }
  return {
    decided: estimate(decided, seed),
    done: estimate(done, seed + 2),
    notDecided: ids.length - decided.length,
    notDone: ids.length - done.length,
  };
};
