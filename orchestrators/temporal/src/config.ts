import { ConfigError, coordinatorSettings, loadConfig, setting } from '@saga/config';

/** The Temporal coordinator's settings (worker, starter, reply consumer), read once and validated. */
export const temporalSettings = {
  ...coordinatorSettings,
  TEMPORAL_COORDINATOR_PORT: setting.port(3011),
  ORCHESTRATOR_TEMPORAL_DATABASE: setting.string('orchestrator_temporal'),
  TEMPORAL_TASK_QUEUE: setting.string('order-saga'),
  /**
   * How the workflow runs its steps: `regular` activities (each dispatched through a task queue;
   * needed for the Kafka transport's asynchronous completion) or `local` activities (run inside
   * the workflow task by the same worker: fewer round trips, HTTP transport only). ADR 0005.
   */
  TEMPORAL_ACTIVITIES: setting.oneOf(['regular', 'local'] as const, 'regular'),
  /**
   * How long a workflow task waits on this worker's sticky queue before the server gives it to
   * any worker (the SDK's `stickyQueueScheduleToStartTimeout`, default 10 s). After a kill -9 the
   * dead worker's cached workflows wait this long. ADR 0005 measures it.
   */
  TEMPORAL_STICKY_TIMEOUT_MS: setting.int(10_000, 100, 600_000),
  /**
   * Kafka transport: replies of one partition completed at once. Each completion is a call to the
   * Temporal server, so one at a time caps a partition at 1 ÷ its latency; replies are matched by
   * command id and order does not matter. 1 (one at a time) until more is measured to help: the
   * one chaos run with 8 did worse than the committed soak (ADR 0008, the long soak).
   */
  TEMPORAL_REPLY_PARALLEL: setting.int(1, 1, 64),
};

/** Its Kafka consumer groups (before the topic prefix): the starter reads OrderCreated, the other saga.replies. */
export const TEMPORAL_GROUPS = { starter: 'orchestrator-temporal-starter', replies: 'orchestrator-temporal' } as const;

export const loadTemporalConfig = (env: Record<string, string | undefined> = process.env) => {
  const cfg = loadConfig(temporalSettings, env);
  if (cfg.TEMPORAL_ACTIVITIES === 'local' && cfg.TRANSPORT !== 'http') {
    throw new ConfigError([
      `TEMPORAL_ACTIVITIES="local": local activities cannot complete asynchronously from a Kafka reply; use TRANSPORT=http or TEMPORAL_ACTIVITIES=regular`,
    ]);
  }
  return cfg;
};
export type TemporalConfig = ReturnType<typeof loadTemporalConfig>;
