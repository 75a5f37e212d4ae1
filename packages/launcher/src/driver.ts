import type { ServerName } from '@saga/stack';

type Env = Record<string, string | undefined>;

/** One benchmark mode: a coordinator over one transport (Temporal's also name their activities and server). */
export interface Mode {
  name: string;
  coordinator: string;
  transport: 'kafka' | 'http';
  activities?: 'regular' | 'local';
  /** Temporal modes: the stack's dev server (SQLite) or the Temporal server on PostgreSQL. */
  server?: 'dev' | 'pg';
}

/** The Temporal servers' addresses, as the stack settings give them. */
export interface ServerAddresses {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_PG_ADDRESS: string;
}

/** Sagas one coordinator owns that are not finished (running, compensating, or parked for an operator). */
export interface InFlight {
  owner: string;
  /** undefined when the coordinator's store could not be read (`error` says why). */
  count?: number;
  /** Up to `limit` of them, oldest first. */
  ids: string[];
  error?: string;
}

/**
 * Everything the launcher, the harness, the tests and the docs need to know of one coordinator
 * (issue 15's seam): a new coordinator is its folder, one driver like this, and one line in
 * `coordinators.ts`. Everything it serves to people goes through the operator API (ADR 0017).
 */
export interface CoordinatorDriver {
  /** The `ORCHESTRATOR=` value. */
  name: string;
  /** What drives the saga, in a few words. */
  what: string;
  /**
   * Its process's entry point, relative to the repository (the launcher compiles and starts it);
   * none when the services themselves drive the saga (choreography: `modeEnv` goes to them).
   */
  entry?: string;
  /** Every setting its process reads (the docker-compose check holds the compose file to them). */
  settings: Readonly<Record<string, unknown>>;
  /** The setting that moves its HTTP port (`/health`, the operator API) and its default. */
  port: { setting: string; default: number };
  /**
   * Settings of other ports each of its instances needs of its own (Restate: its service endpoint):
   * a second instance gets a free one, the same again when it is restarted.
   */
  instancePorts?: readonly string[];
  /**
   * false when a second instance does not share the sagas (Restate: each registered endpoint is a
   * deployment of its own, and its invocations stay pinned to it — replicas belong behind one
   * address, ADR 0020): faults that kill one of two for good do not apply.
   */
  scalesOut?: false;
  /** Its Kafka consumer groups, before the run's topic prefix (the harness moves them between modes). */
  groups: readonly string[];
  /**
   * The setting that names its own database and, where it keeps one, the table that lists its
   * sagas (`id`, `status`, `deadline_at`, `created_at`): the harness gives each run its own
   * database, and the checker's past-deadline check reads the table. None for choreography (its
   * view lives in the order service's database).
   */
  store?: { database: string; sagas?: string };
  /** The folder of its own code (the complexity suite counts its `src` and `migrations`). */
  dir: string;
  /** Its code where it is spread over shared folders (choreography: a file per service), counted instead of `dir`. */
  code?: { src: readonly string[]; sql: readonly string[] };
  /** Its benchmark modes. */
  modes: readonly Omit<Mode, 'coordinator'>[];
  /** The settings a mode adds to its environment; `run` names the benchmark run. */
  modeEnv(mode: Mode, run: string, servers: ServerAddresses): Record<string, string>;
  /** The stack servers a mode needs besides PostgreSQL and Kafka (started for it; faulted by the recovery suite). */
  servers(mode: Mode): ServerName[];
  /** For the complexity suite: the servers a mode runs on, by name, and how a person inspects and repairs a saga. */
  operations(mode: Mode): { servers: string[]; inspection: string };
  /** Where else a person looks at its sagas (a web UI), if anywhere. */
  ui?(env: Env): string;
  /** false when its operator API's list cannot filter by the current step (Temporal: visibility indexes none; a 400 then). */
  listsByStep?: false;
  /**
   * Its engine's web UI for the Saga Explorer's links: the sagas, and one saga's page (`{id}` in
   * it) — of `mode`'s server when given (a run's kept sagas), else of the server `env` points at.
   */
  links?(env: Env, mode?: Omit<Mode, 'coordinator'>): { base: string; saga: string };
  /** What it owns in flight, from its own store (never another coordinator's; ADR 0011). */
  inFlight(env: Env, limit: number): Promise<Omit<InFlight, 'owner'>>;
}
