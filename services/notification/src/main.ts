import { loadConfig, setting } from '@saga/config';
import { loadServiceOptions, runProcess, startService } from '@saga/service';
import { fileChannel } from './channel.ts';
import { notificationService } from './service.ts';

const { NOTIFICATION_SINK_FILE } = loadConfig({
  /** Where delivered notifications are appended, one JSON line each. */
  NOTIFICATION_SINK_FILE: setting.string('/var/tmp/saga-workbench/notifications.jsonl'),
});
await runProcess(() =>
  startService(
    notificationService(fileChannel(NOTIFICATION_SINK_FILE)),
    loadServiceOptions('notification', { port: 3004, database: 'notifications' }),
  ),
);
