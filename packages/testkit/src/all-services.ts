import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { inventoryService } from '@saga/inventory';
import { fileChannel } from '@saga/notification/channel';
import { notificationService } from '@saga/notification';
import { orderService } from '@saga/order';
import { paymentService } from '@saga/payment';
import { servers, startWorkbench, uniqueName } from './index.ts';

/** The four services for a coordinator's e2e tests, notifications to a scratch file. */
export const workbench = (kafka: Kafka, opts: Parameters<typeof startWorkbench>[2] = {}) =>
  startWorkbench(
    kafka,
    {
      order: orderService,
      inventory: inventoryService,
      payment: paymentService,
      notification: notificationService(fileChannel(join(mkdtempSync(join(tmpdir(), 'notify-')), 'sink.jsonl'))),
    },
    opts,
  );

/** Env for a coordinator on a scratch database, driving `wb`'s services with short test budgets. */
export const orchestratorEnv = (wbEnv: Record<string, string>, extra: Record<string, string> = {}) => ({
  ...wbEnv,
  POSTGRES_URL: servers.POSTGRES_URL,
  KAFKA_BROKERS: servers.KAFKA_BROKERS.join(','),
  ORCHESTRATOR_PORT: '0',
  ORCHESTRATOR_DATABASE: uniqueName('t_orch'),
  ORCHESTRATOR_TEMPORAL_DATABASE: uniqueName('t_orch_temporal'),
  TEMPORAL_COORDINATOR_PORT: '0',
  ORCHESTRATOR_DBOS_DATABASE: uniqueName('t_orch_dbos'),
  DBOS_COORDINATOR_PORT: '0',
  ORCHESTRATOR_RESTATE_DATABASE: uniqueName('t_orch_restate'),
  RESTATE_COORDINATOR_PORT: '0',
  RESTATE_ENDPOINT_PORT: '0',
  RESTATE_WORKFLOW: uniqueName('orderSaga'),
  SAGA_STEP_TIMEOUT_MS: '1000',
  SAGA_STEP_ATTEMPTS: '4',
  SAGA_COMPENSATION_ATTEMPTS: '4',
  SAGA_DEADLINE_MS: '30000',
  TIMER_POLL_MS: '50',
  LOG_LEVEL: 'silent',
  ...extra,
});
