import { coordinatorSettings, loadConfig, setting } from '@saga/config';

/** The Restate coordinator's settings, read once and validated (a bad one stops start-up). */
export const restateSettings = {
  ...coordinatorSettings,
  /** `/health` and the operator API. */
  RESTATE_COORDINATOR_PORT: setting.port(3013),
  /** Its database: only the list of sagas (Restate keeps journals, state and promises in its server). */
  ORCHESTRATOR_RESTATE_DATABASE: setting.string('orchestrator_restate'),
  /** The port of its Restate service endpoint (HTTP/2), which the Restate server calls to run the workflow. */
  RESTATE_ENDPOINT_PORT: setting.port(9080),
  /**
   * Where the Restate server reaches that endpoint (registered as the deployment at start-up);
   * default `http://127.0.0.1:<RESTATE_ENDPOINT_PORT>`. The same address for every start, so the
   * invocations pinned to this deployment continue after a restart.
   */
  RESTATE_ENDPOINT_URL: setting.optionalString(),
  /**
   * The workflow's name on the Restate server. Restate sends a workflow's new invocations to the
   * deployment that registered its name last, so tests that share one server give each coordinator its own.
   */
  RESTATE_WORKFLOW: setting.string('orderSaga').refine((v) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(v), {
    message: 'expected a name of letters, digits and _',
  }),
  /**
   * Over Kafka, how a reply reaches the waiting saga (ADR 0020): `awakeable` — each step's command
   * id is an awakeable's id and the reply consumer completes it at the ingress (no invocation of
   * the endpoint); `promise` — the consumer invokes the workflow's `reply` handler, which resolves
   * the step's durable promise. Taken by each saga at its start, so one started before a change keeps its path.
   */
  RESTATE_REPLIES: setting.oneOf(['awakeable', 'promise'], 'awakeable'),
  /** This instance's name in its logs. */
  INSTANCE_ID: setting.string('restate-0'),
};

/** Its Kafka consumer groups (before the topic prefix): the starter reads OrderCreated, the other saga.replies. */
export const RESTATE_GROUPS = { starter: 'orchestrator-restate-starter', replies: 'orchestrator-restate' } as const;

export const loadRestateConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(restateSettings, env);
export type RestateConfig = ReturnType<typeof loadRestateConfig>;
