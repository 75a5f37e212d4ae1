import { loadConfig, serverSettings, setting } from '@saga/config';

/** The custom orchestrator's settings, read once and validated (a bad one stops start-up). */
export const orchestratorSettings = {
  ...serverSettings,
  ORCHESTRATOR_PORT: setting.port(3010),
  ORCHESTRATOR_DATABASE: setting.string('orchestrator_custom'),
  /** How commands reach the services: Kafka commands + saga.replies, or HTTP POST /commands/… */
  TRANSPORT: setting.oneOf(['kafka', 'http'] as const, 'kafka'),
  ORDER_URL: setting.string('http://127.0.0.1:3001'),
  INVENTORY_URL: setting.string('http://127.0.0.1:3002'),
  PAYMENT_URL: setting.string('http://127.0.0.1:3003'),
  NOTIFICATION_URL: setting.string('http://127.0.0.1:3004'),
  SAGA_STEP_TIMEOUT_MS: setting.int(3_000, 50, 600_000),
  SAGA_STEP_ATTEMPTS: setting.int(5, 1, 1_000),
  SAGA_DEADLINE_MS: setting.int(60_000, 100, 86_400_000),
  /** How often due timers are looked for (the safety net: replies drive the saga). */
  TIMER_POLL_MS: setting.int(100, 5, 60_000),
  REPLY_CONCURRENCY: setting.int(8, 1, 64),
  ADMIN_TOKEN: setting.string('workbench-admin'),
  INSTANCE_ID: setting.string(`custom-${process.pid}`),
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
};

export const loadOrchestratorConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(orchestratorSettings, env);
export type OrchestratorConfig = ReturnType<typeof loadOrchestratorConfig>;
