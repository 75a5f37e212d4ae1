import { coordinatorSettings, loadConfig, setting } from '@saga/config';

/** The Temporal coordinator's settings (worker, starter, reply consumer), read once and validated. */
export const temporalSettings = {
  ...coordinatorSettings,
  TEMPORAL_COORDINATOR_PORT: setting.port(3011),
  ORCHESTRATOR_TEMPORAL_DATABASE: setting.string('orchestrator_temporal'),
  TEMPORAL_TASK_QUEUE: setting.string('order-saga'),
};

export const loadTemporalConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(temporalSettings, env);
export type TemporalConfig = ReturnType<typeof loadTemporalConfig>;
