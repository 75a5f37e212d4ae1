import type { Logger } from '@saga/http';
import type { Pool } from '@saga/postgres';
import type { DeliveryChannel } from './channel.ts';
import type { Notification } from './domain/notify.ts';

/** How often, and after how long, a notification not marked delivered is handed over again. */
export const REDELIVER_AFTER_MS = 1_000;

const keyOf = (n: { orderId: string; kind: string }) => `${n.orderId}:${n.kind}`;

/**
 * Hands recorded notifications to the channel, at least once: at once after the command's commit,
 * and again — under the same idempotency key, which the channel honours — for any row not marked
 * delivered a second after it was written (the process died in between, or the channel failed).
 */
export const courier = (pool: Pool, channel: DeliveryChannel, log: Logger) => {
  const deliver = async (n: Notification) => {
    await channel.deliver({ ...n, idempotencyKey: keyOf(n) });
    await pool.query('UPDATE notifications SET delivered_at = now() WHERE order_id = $1 AND kind = $2', [
      n.orderId,
      n.kind,
    ]);
  };
  const sweep = async () => {
    const { rows } = await pool.query<Notification>(
      `SELECT order_id AS "orderId", customer_id AS "customerId", kind, message FROM notifications
       WHERE delivered_at IS NULL AND created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT 500`,
      [REDELIVER_AFTER_MS / 1000],
    );
    for (const n of rows) await deliver(n);
    if (rows.length > 0) log.info({ redelivered: rows.length }, 'notifications handed over again');
  };
  return {
    /** The first hand-over, right after the commit; a failure is left to the sweep. */
    async afterCommit(n: Notification) {
      await deliver(n).catch((err: unknown) => log.warn({ err, orderId: n.orderId }, 'delivery failed; retried'));
    },
    /** Sweeps now, then again REDELIVER_AFTER_MS after each sweep ends, until stopped. */
    start() {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      const loop = () => {
        running = sweep()
          .catch((err: unknown) => log.warn({ err }, 'redelivery sweep failed; retried'))
          .then(() => {
            if (!stopped) timer = setTimeout(loop, REDELIVER_AFTER_MS);
          });
      };
      loop();
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running;
        },
      };
    },
  };
};
