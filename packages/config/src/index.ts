import { z } from 'zod';

/** Thrown when the environment does not make a valid configuration; names every bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Shape = Record<string, z.ZodType>;

/**
 * Reads the settings named by `shape` from `env` once, validates them and returns a frozen object.
 * Keys of `shape` are the environment variable names, so an error names exactly what to fix.
 */
export const loadConfig = <S extends Shape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<z.ZodObject<S>>> => {
  const picked = Object.fromEntries(Object.keys(shape).map((k) => [k, emptyToUndefined(env[k])]));
  const result = z.object(shape).safeParse(picked);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = i.path.join('.');
        const value = env[String(i.path[0])];
        return `${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: ${i.message}`;
      }),
    );
  }
  return Object.freeze(result.data);
};

const emptyToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);

/** Field builders for the kinds of setting the workbench has. */
export const setting = {
  /** A TCP port; 0 picks a free one (tests). */
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  string: (fallback: string) => z.string().min(1).default(fallback),
  optionalString: () => z.string().min(1).optional(),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected one of true, false, 1, 0, yes, no' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values, { error: `expected one of ${values.join(', ')}` }).default(fallback as never),
  postgresUrl: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), 'expected postgres://user@host:port'),
  /** Comma-separated host:port list. */
  brokers: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) =>
        v
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .refine(
        (bs) => bs.length > 0 && bs.every((b) => /^[^\s:,]+:\d{1,5}$/.test(b)),
        'expected host:port[,host:port…]',
      ),
  hostPort: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => /^[^\s:]+:\d{1,5}$/.test(v), 'expected host:port'),
  httpUrl: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((v) => /^https?:\/\/[^\s/:]+:\d{1,5}\/?$/.test(v), 'expected http://host:port'),
};

/**
 * Addresses of the servers, with loopback defaults that match the local stack.
 * Setting one of these to an existing server makes the stack skip starting its own.
 */
export const serverSettings = {
  POSTGRES_URL: setting.postgresUrl('postgres://postgres@127.0.0.1:5432'),
  KAFKA_BROKERS: setting.brokers('127.0.0.1:9092'),
  /** Prepended to every topic name: lets tests, or two workbenches, share one broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"')
    .default(''),
  TEMPORAL_ADDRESS: setting.hostPort('127.0.0.1:7233'),
  /** The Temporal server on PostgreSQL (the stack's `temporal-pg`; benchmark modes `temporal-pg-*`). */
  TEMPORAL_PG_ADDRESS: setting.hostPort('127.0.0.1:7333'),
  TEMPORAL_NAMESPACE: setting.string('default'),
  TEMPORAL_UI_URL: setting.string('http://127.0.0.1:8233'),
  /** The Temporal Web UI of the server on PostgreSQL (the stack's `temporal-pg-ui`, Temporal's ui-server). */
  TEMPORAL_PG_UI_URL: setting.httpUrl('http://127.0.0.1:8333'),
  /** For Temporal Cloud or any server behind TLS; an API key implies TLS. */
  TEMPORAL_TLS: setting.bool(false),
  TEMPORAL_API_KEY: setting.optionalString(),
  /** The Restate server (the stack's `restate`; ORCHESTRATOR=restate): where invocations go in… */
  RESTATE_INGRESS_URL: setting.httpUrl('http://127.0.0.1:8080'),
  /** …and its admin API (deployments, the SQL introspection, its web UI at /ui). */
  RESTATE_ADMIN_URL: setting.httpUrl('http://127.0.0.1:9070'),
};

export const loadServerConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(serverSettings, env);
export type ServerConfig = ReturnType<typeof loadServerConfig>;

/** The ownership registry (ADR 0011): which coordinator owns each saga; first claim wins. */
export const registryDatabaseSetting = setting.string('saga_registry');

/** The saga's budgets, read the same way by every coordinator and, for choreography, by the services (ADR 0018). */
export const sagaBudgetSettings = {
  /** How long to wait for a reply before an attempt counts as failed. */
  SAGA_STEP_TIMEOUT_MS: setting.int(3_000, 50, 600_000),
  /** Attempts of a step before the pivot (then: compensate). */
  SAGA_STEP_ATTEMPTS: setting.int(5, 1, 1_000),
  /**
   * Attempts of a compensation that gets no answer (then: NEEDS_ATTENTION). A refusal parks at
   * once; silence is given longer than a step, since a compensation has no way out but to happen:
   * 25 attempts at the default 3 s timeout and backoff up to 10 s are ~4.6 min, past a Kafka
   * restart and the backlog behind it (ADR 0008, the long soak).
   */
  SAGA_COMPENSATION_ATTEMPTS: setting.int(25, 1, 10_000),
  /** From start to the pivot; past it the saga compensates. */
  SAGA_DEADLINE_MS: setting.int(60_000, 100, 86_400_000),
};

/**
 * What both coordinators read the same way (custom and Temporal run the same budgets, so the
 * comparison holds them equal): transport, service addresses, step budget, deadline.
 */
export const coordinatorSettings = {
  ...serverSettings,
  /** How commands reach the services: Kafka commands + saga.replies, or HTTP POST /commands/… */
  TRANSPORT: setting.oneOf(['kafka', 'http'] as const, 'kafka'),
  ORDER_URL: setting.string('http://127.0.0.1:3001'),
  INVENTORY_URL: setting.string('http://127.0.0.1:3002'),
  PAYMENT_URL: setting.string('http://127.0.0.1:3003'),
  NOTIFICATION_URL: setting.string('http://127.0.0.1:3004'),
  ...sagaBudgetSettings,
  REPLY_CONCURRENCY: setting.int(8, 1, 64),
  /** The operator API's actions (`POST /sagas/:id/retry|compensate|resolve`) need `Authorization: Bearer <ADMIN_TOKEN>`. */
  ADMIN_TOKEN: setting.string('workbench-admin'),
  LOG_LEVEL: setting.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  SAGA_REGISTRY_DATABASE: registryDatabaseSetting,
  /**
   * Drain: finish the sagas this coordinator owns, start none (its OrderCreated consumer does not
   * run, so its offsets stay where they were for its next normal start).
   */
  SAGA_DRAIN: setting.bool(false),
  /** The address the coordinator's HTTP API listens on (as for the services; 0.0.0.0 in a container). */
  SERVICE_HOST: setting.string('127.0.0.1'),
};

/** The saga's budgets, the same for every coordinator (each builds its retry policies from these). */
export interface SagaTiming {
  /** How long to wait for a reply before an attempt counts as failed. */
  stepTimeoutMs: number;
  /** Attempts of a step before the pivot (then: compensate). */
  stepAttempts: number;
  /** Attempts of a compensation that gets no answer (then: NEEDS_ATTENTION). */
  compensationAttempts: number;
  /** From start to the pivot; past it the saga compensates. */
  deadlineMs: number;
}

/** The budgets from a coordinator's validated settings. */
export const sagaTiming = (
  cfg: Readonly<
    Record<'SAGA_STEP_TIMEOUT_MS' | 'SAGA_STEP_ATTEMPTS' | 'SAGA_COMPENSATION_ATTEMPTS' | 'SAGA_DEADLINE_MS', number>
  >,
): SagaTiming => ({
  stepTimeoutMs: cfg.SAGA_STEP_TIMEOUT_MS,
  stepAttempts: cfg.SAGA_STEP_ATTEMPTS,
  compensationAttempts: cfg.SAGA_COMPENSATION_ATTEMPTS,
  deadlineMs: cfg.SAGA_DEADLINE_MS,
});

/** The `*_URL` setting of the service that owns a command topic (e.g. `inventory.commands` → INVENTORY_URL). */
export const serviceUrlSetting = (commandTopic: string) =>
  `${commandTopic.split('.')[0]!.toUpperCase()}_URL` as
    'ORDER_URL' | 'INVENTORY_URL' | 'PAYMENT_URL' | 'NOTIFICATION_URL';

/** What a Temporal client needs to connect to the configured server. */
export const temporalConnection = (cfg: ServerConfig) => ({
  address: cfg.TEMPORAL_ADDRESS,
  tls: cfg.TEMPORAL_TLS || cfg.TEMPORAL_API_KEY !== undefined,
  ...(cfg.TEMPORAL_API_KEY ? { apiKey: cfg.TEMPORAL_API_KEY } : {}),
});

/** The URL of one database on the configured server. */
export const databaseUrl = (serverUrl: string, database: string): string => {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
};
