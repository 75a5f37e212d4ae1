import { loadOrchestratorConfig, startOrchestrator } from '@saga/orchestrator-custom';
import { loadDbosConfig, startDbosCoordinator } from '@saga/orchestrator-dbos';
import { loadRestateConfig, startRestateCoordinator } from '@saga/orchestrator-restate';
import { loadTemporalConfig, startTemporalCoordinator } from '@saga/orchestrator-temporal';
import { uniqueName, type Workbench } from '@saga/testkit';
import { orchestratorEnv } from '@saga/testkit/all-services';

/**
 * The budgets every coordinator runs with here. A failing call (HTTP 503) spends the 4 attempts in
 * ~1.4 s of backoff, long before the deadline; a silent one (2 s per attempt) does not, so the
 * deadline (6 s) comes first — the two rows need both.
 */
export const TIMING = { stepTimeoutMs: 2_000, stepAttempts: 4, compensationAttempts: 3, deadlineMs: 6_000 };

export interface Coordinator {
  /** The operator API's base URL. */
  url: string;
  stop(): Promise<void>;
}
/**
 * How each coordinator starts against a workbench of the four real services (HTTP transport for
 * the orchestrators unless `extra` says otherwise).
 */
export const COORDINATORS: Record<
  string,
  {
    choreography?: boolean;
    start(wb: Workbench, extra?: Record<string, string>): Promise<Coordinator & { databases: string[] }>;
  }
> = {
  custom: {
    start: async (wb, extra) => {
      const env = coordinatorEnv(wb, extra);
      const o = await startOrchestrator(loadOrchestratorConfig(env));
      return { ...o, databases: [env.ORCHESTRATOR_DATABASE] };
    },
  },
  temporal: {
    start: async (wb, extra) => {
      const env = coordinatorEnv(wb, extra);
      const c = await startTemporalCoordinator(loadTemporalConfig(env));
      return { url: c.url, stop: c.stop, databases: [env.ORCHESTRATOR_TEMPORAL_DATABASE] };
    },
  },
  dbos: {
    start: async (wb, extra) => {
      const env = coordinatorEnv(wb, extra);
      const c = await startDbosCoordinator(loadDbosConfig(env));
      return { ...c, databases: [env.ORCHESTRATOR_DBOS_DATABASE] };
    },
  },
  restate: {
    start: async (wb, extra) => {
      const env = coordinatorEnv(wb, extra);
      const c = await startRestateCoordinator(loadRestateConfig(env));
      return { ...c, databases: [env.ORCHESTRATOR_RESTATE_DATABASE] };
    },
  },
  choreography: {
    choreography: true,
    start: async (wb) => ({ url: wb.services.order.url, stop: async () => undefined, databases: [] }),
  },
};
const coordinatorEnv = (wb: Workbench, extra: Record<string, string> = {}) =>
  orchestratorEnv(wb.env(), {
    TRANSPORT: 'http',
    TEMPORAL_TASK_QUEUE: uniqueName('order-saga'),
    SAGA_STEP_TIMEOUT_MS: String(TIMING.stepTimeoutMs),
    SAGA_STEP_ATTEMPTS: String(TIMING.stepAttempts),
    SAGA_COMPENSATION_ATTEMPTS: String(TIMING.compensationAttempts),
    SAGA_DEADLINE_MS: String(TIMING.deadlineMs),
    ...extra,
  });
