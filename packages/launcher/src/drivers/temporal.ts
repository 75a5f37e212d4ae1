import { Client, Connection } from '@temporalio/client';
import { loadConfig, loadServerConfig, temporalConnection } from '@saga/config';
import { TEMPORAL_GROUPS, temporalSettings } from '@saga/orchestrator-temporal/config';
import type { CoordinatorDriver, Mode, ServerAddresses } from '../driver.ts';

/** The address of the Temporal server a mode uses. */
export const temporalAddress = (mode: Mode, servers: ServerAddresses) =>
  mode.server === 'pg' ? servers.TEMPORAL_PG_ADDRESS : servers.TEMPORAL_ADDRESS;

/**
 * The workflow list in the Web UI of the server `mode` runs on — or, without a mode, the server
 * `env` points at: the dev server's embedded UI, or the stack's temporal-pg-ui for the server on PostgreSQL.
 */
const workflowsPage = (env: Record<string, string | undefined>, mode?: Pick<Mode, 'server'>) => {
  const s = loadServerConfig(env);
  const onPg = mode ? mode.server === 'pg' : s.TEMPORAL_ADDRESS === s.TEMPORAL_PG_ADDRESS;
  const ui = (onPg ? s.TEMPORAL_PG_UI_URL : s.TEMPORAL_UI_URL).replace(/\/$/, '');
  return `${ui}/namespaces/${encodeURIComponent(s.TEMPORAL_NAMESPACE)}/workflows`;
};

/** A Temporal workflow whose activities talk to the same services (ADR 0005), on either Temporal server. */
export const temporalDriver = {
  name: 'temporal',
  what: 'a Temporal workflow (worker + starter + reply bridge) on the dev server or the Temporal server on PostgreSQL',
  entry: 'orchestrators/temporal/src/main.ts',
  settings: temporalSettings,
  port: { setting: 'TEMPORAL_COORDINATOR_PORT', default: 3011 },
  groups: Object.values(TEMPORAL_GROUPS),
  store: { database: 'ORCHESTRATOR_TEMPORAL_DATABASE' },
  dir: 'orchestrators/temporal',
  modes: [
    { name: 'temporal-kafka', transport: 'kafka', activities: 'regular', server: 'dev' },
    { name: 'temporal-http', transport: 'http', activities: 'regular', server: 'dev' },
    { name: 'temporal-http-local', transport: 'http', activities: 'local', server: 'dev' },
    { name: 'temporal-pg-kafka', transport: 'kafka', activities: 'regular', server: 'pg' },
    { name: 'temporal-pg-http', transport: 'http', activities: 'regular', server: 'pg' },
    { name: 'temporal-pg-http-local', transport: 'http', activities: 'local', server: 'pg' },
  ],
  // Its own task queue per mode and run, so its workflows can be counted apart.
  modeEnv: (mode, run, servers) => ({
    TRANSPORT: mode.transport,
    TEMPORAL_ACTIVITIES: mode.activities ?? 'regular',
    TEMPORAL_TASK_QUEUE: `${run}-${mode.name}`,
    TEMPORAL_ADDRESS: temporalAddress(mode, servers),
  }),
  servers: (mode) => [mode.server === 'pg' ? 'temporal-pg' : 'temporal'],
  operations: (mode) => ({
    servers: [
      'PostgreSQL',
      'Kafka',
      mode.server === 'pg' ? 'Temporal server (on PostgreSQL)' : 'Temporal dev server (SQLite)',
    ],
    inspection:
      'operator API (ADR 0017: visibility, the status query, the operate update); Temporal Web UI / CLI: event history, search attributes, terminate, reset',
  }),
  listsByStep: false,
  links: (env, mode) => {
    const base = workflowsPage(env, mode);
    return { base, saga: `${base}/{id}` };
  },
  ui: (env) => `${workflowsPage(env)} (filter: SagaStatus="REJECTED")`,
  inFlight: async (env, limit) => {
    const cfg = loadConfig(temporalSettings, env);
    const connection = await Connection.connect({ ...temporalConnection(cfg), connectTimeout: 3_000 });
    try {
      const client = new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
      const query = `TaskQueue = '${cfg.TEMPORAL_TASK_QUEUE}' AND ExecutionStatus = 'Running'`;
      const { count } = await client.workflow.count(query);
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query, pageSize: limit })) {
        if (ids.length >= limit) break;
        ids.push(w.workflowId);
      }
      return { count, ids };
    } finally {
      await connection.close();
    }
  },
} as const satisfies CoordinatorDriver;
