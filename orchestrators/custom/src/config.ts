import { coordinatorSettings, loadConfig, setting } from '@saga/config';

/** The custom orchestrator's settings, read once and validated (a bad one stops start-up). */
export const orchestratorSettings = {
  ...coordinatorSettings,
  ORCHESTRATOR_PORT: setting.port(3010),
  ORCHESTRATOR_DATABASE: setting.string('orchestrator_custom'),
  /** How often due timers are looked for (the safety net: replies drive the saga). */
  TIMER_POLL_MS: setting.int(100, 5, 60_000),
  INSTANCE_ID: setting.string(`custom-${process.pid}`),
};

/** Its Kafka consumer groups (before the topic prefix): the starter reads OrderCreated, the other saga.replies. */
export const CUSTOM_GROUPS = { starter: 'orchestrator-custom-starter', replies: 'orchestrator-custom' } as const;

export const loadOrchestratorConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(orchestratorSettings, env);
export type OrchestratorConfig = ReturnType<typeof loadOrchestratorConfig>;
