import { loadConfig, setting } from '@saga/config';
import { loadServiceOptions, runProcess, startService } from '@saga/service';
import { fileChannel } from './channel.ts';
import { notificationService } from './service.ts';

const { NOTIFICATION_SINK_FILE, NOTIFICATION_SINK_LATENCY_MS } = loadConfig({
  /** Where delivered notifications are appended, one JSON line each. */
  NOTIFICATION_SINK_FILE: setting.string('/var/tmp/saga-workbench/notifications.jsonl'),
  /** The sink's own time to take a message, as a real provider's (0: none). */
  NOTIFICATION_SINK_LATENCY_MS: setting.int(0, 0, 60_000),
});
await runProcess(() =>
  startService(
    notificationService(fileChannel(NOTIFICATION_SINK_FILE, NOTIFICATION_SINK_LATENCY_MS)),
    loadServiceOptions('notification', { port: 3004, database: 'notifications' }),
  ),
);
