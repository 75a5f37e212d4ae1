import { coordinatorSettings, loadConfig, setting } from '@saga/config';

/** The DBOS coordinator's settings, read once and validated (a bad one stops start-up). */
export const dbosSettings = {
  ...coordinatorSettings,
  DBOS_COORDINATOR_PORT: setting.port(3012),
  /** Its database: our list of sagas (public schema) and DBOS's system tables (schema `dbos`). */
  ORCHESTRATOR_DBOS_DATABASE: setting.string('orchestrator_dbos'),
  /**
   * DBOS's application version: workflows recover only on an executor of the same version, so a
   * fixed one lets a restarted process (any build) take over what a killed one left.
   */
  DBOS_APP_VERSION: setting.string('order-saga-1'),
  /**
   * This instance's id, DBOS's executor id: several may run at once, and each recovers the
   * workflows it left pending when it starts again under the same id.
   */
  INSTANCE_ID: setting.string('dbos-0'),
  /** Connections of DBOS's own pool to its system database (DBOS's default is 10). */
  DBOS_POOL_SIZE: setting.int(10, 2, 200),
};

/** Its Kafka consumer groups (before the topic prefix): the starter reads OrderCreated, the other saga.replies. */
export const DBOS_GROUPS = { starter: 'orchestrator-dbos-starter', replies: 'orchestrator-dbos' } as const;

export const loadDbosConfig = (env: Record<string, string | undefined> = process.env) => loadConfig(dbosSettings, env);
export type DbosConfig = ReturnType<typeof loadDbosConfig>;
