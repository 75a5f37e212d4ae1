import { loadConfig, serverSettings, setting } from '@saga/config';

/** The Temporal coordinator's settings (worker, starter, reply consumer), read once and validated. */
export const temporalSettings = {
  ...serverSettings,
  TEMPORAL_COORDINATOR_PORT: setting.port(3011),
  ORCHESTRATOR_TEMPORAL_DATABASE: setting.string('orchestrator_temporal'),
  TRANSPORT: setting.oneOf(['kafka', 'http'] as const, 'kafka'),
  TEMPORAL_TASK_QUEUE: setting.string('order-saga'),
  ORDER_URL: setting.string('http://127.0.0.1:3001'),
  INVENTORY_URL: setting.string('http://127.0.0.1:3002'),
  PAYMENT_URL: setting.string('http://127.0.0.1:3003'),
  NOTIFICATION_URL: setting.string('http://127.0.0.1:3004'),
  SAGA_STEP_TIMEOUT_MS: setting.int(3_000, 50, 600_000),
  SAGA_STEP_ATTEMPTS: setting.int(5, 1, 1_000),
  SAGA_DEADLINE_MS: setting.int(60_000, 100, 86_400_000),
  REPLY_CONCURRENCY: setting.int(8, 1, 64),
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
};

export const loadTemporalConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(temporalSettings, env);
export type TemporalConfig = ReturnType<typeof loadTemporalConfig>;
