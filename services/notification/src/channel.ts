import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Notification } from './domain/notify.ts';

/** Where notifications go after they are recorded. Pluggable: a file here, e-mail or SMS elsewhere. */
export interface DeliveryChannel {
  deliver(n: Notification): Promise<void>;
}

/** Appends one JSON line per notification to a file (the sink for local runs and tests). */
export const fileChannel = (file: string): DeliveryChannel => ({
  async deliver(n) {
    await mkdir(dirname(file), { recursive: true });
    await appendFile(file, `${JSON.stringify({ ...n, deliveredAt: new Date().toISOString() })}\n`);
  },
});
