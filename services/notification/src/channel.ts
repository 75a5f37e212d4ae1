import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Notification } from './domain/notify.ts';

/** A notification as it is handed to a channel: with the key under which it is delivered once. */
export type Delivery = Notification & { idempotencyKey: string };

/**
 * Where notifications go after they are recorded. Pluggable: a file here, e-mail or SMS elsewhere.
 * A delivery may be handed over more than once (at least once: the process can die between the
 * hand-over and marking it delivered); the channel delivers each `idempotencyKey` once, as an
 * e-mail or SMS provider's idempotency key does.
 */
export interface DeliveryChannel {
  deliver(n: Delivery): Promise<void>;
}

const keysIn = async (file: string): Promise<Set<string>> => {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    try {
      const key = (JSON.parse(line) as { idempotencyKey?: unknown }).idempotencyKey;
      if (typeof key === 'string') keys.add(key);
    } catch {
      // an empty line, or one torn by a kill: not delivered, so handed over again
    }
  }
  return keys;
};

/**
 * Appends one JSON line per notification to a file (the sink for local runs and tests). It honours
 * the idempotency key: the keys already in the file (read at the first delivery) and those handed
 * over since are not written again.
 */
export const fileChannel = (
  file: string,
  /** The provider's own time to take a message (NOTIFICATION_SINK_LATENCY_MS): 0 here, a real one is slower. */
  latencyMs = 0,
): DeliveryChannel => {
  let delivered: Promise<Set<string>> | undefined;
  return {
    async deliver(n) {
      const keys = await (delivered ??= mkdir(dirname(file), { recursive: true }).then(() => keysIn(file)));
      if (keys.has(n.idempotencyKey)) return;
      keys.add(n.idempotencyKey);
      try {
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        await appendFile(file, `${JSON.stringify({ ...n, deliveredAt: new Date().toISOString() })}\n`);
      } catch (err) {
        keys.delete(n.idempotencyKey);
        throw err;
      }
    },
  };
};
