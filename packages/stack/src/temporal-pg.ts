import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import pg from 'pg';
import { stringify } from 'yaml';
import { goBuild } from './go-build.ts';
import { livePid, requireTool, run, spawnDetached, StackError, stopPid } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';
import { ensureSearchAttributes } from './temporal.ts';

const DB = 'temporal_pg';
const VISIBILITY_DB = 'temporal_pg_visibility';

/**
 * The Temporal server (the dev server's version, Versions.temporalServer) on the stack's PostgreSQL — the
 * production-like persistence (STACK.md). Built once with `go install`; schema applied with its
 * own sql tool; frontend on TEMPORAL_PG_ADDRESS, its other services on the next ports.
 */
export const temporalPgServer = (s: StackSettings): Server => {
  const home = join(s.cacheDir, `temporal-server-${Versions.temporalServer}`);
  const dir = join(s.runDir, 'temporal-pg');
  const logFile = join(dir, 'temporal-pg.log');
  const { host, port } = s.temporalPg;
  const pgUrl = new URL(s.servers.POSTGRES_URL);
  const ports = {
    frontend: port,
    history: port + 1,
    matching: port + 2,
    worker: port + 6,
    http: port + 10,
    membership: port - 500,
  };

  const build = goBuild({
    what: `Temporal server ${Versions.temporalServer} and its sql tool`,
    packages: [
      `go.temporal.io/server/cmd/server@${Versions.temporalServer}`,
      `go.temporal.io/server/cmd/tools/sql@${Versions.temporalServer}`,
    ],
    bins: ['server', 'sql'],
    home,
    dir,
    takes: 'about 2 min warm, 6–8 min cold on 2 cores',
  });
  const bin = build.bin;

  const waitForPostgres = async () => {
    for (let i = 0; ; i++) {
      const c = new pg.Client({ connectionString: s.servers.POSTGRES_URL });
      try {
        await c.connect();
        return c;
      } catch (err) {
        await c.end().catch(() => undefined);
        if (i > 120)
          throw new StackError(`temporal-pg needs PostgreSQL at ${s.servers.POSTGRES_URL}: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  };

  const sqlTool = (db: string, args: string[]) =>
    run(bin('sql'), ['--db', db, ...args], {
      env: {
        ...process.env,
        SQL_PLUGIN: 'postgres12',
        SQL_HOST: pgUrl.hostname,
        SQL_PORT: pgUrl.port || '5432',
        SQL_USER: decodeURIComponent(pgUrl.username) || 'postgres',
        SQL_PASSWORD: decodeURIComponent(pgUrl.password),
      },
      logFile: join(dir, 'schema.log'),
    });

  const config = () => {
    const store = (databaseName: string, maxConns: number) => ({
      sql: {
        pluginName: 'postgres12',
        databaseName,
        connectAddr: `${pgUrl.hostname}:${pgUrl.port || '5432'}`,
        connectProtocol: 'tcp',
        user: decodeURIComponent(pgUrl.username) || 'postgres',
        password: decodeURIComponent(pgUrl.password),
        maxConns,
        maxIdleConns: maxConns,
        maxConnLifetime: '1h',
      },
    });
    const svc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
      rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
    });
    return {
      log: { stdout: true, level: 'warn' },
      persistence: {
        defaultStore: 'pg-default',
        visibilityStore: 'pg-visibility',
        numHistoryShards: 4,
        datastores: { 'pg-default': store(DB, 20), 'pg-visibility': store(VISIBILITY_DB, 4) },
      },
      global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
      services: {
        frontend: svc(ports.frontend, ports.membership, { httpPort: ports.http }),
        history: svc(ports.history, ports.membership + 1),
        matching: svc(ports.matching, ports.membership + 2),
        worker: svc(ports.worker, ports.membership + 6),
      },
      clusterMetadata: {
        enableGlobalNamespace: false,
        failoverVersionIncrement: 10,
        masterClusterName: 'active',
        currentClusterName: 'active',
        clusterInformation: {
          active: {
            enabled: true,
            initialFailoverVersion: 1,
            rpcName: 'frontend',
            rpcAddress: `127.0.0.1:${ports.frontend}`,
          },
        },
      },
      dcRedirectionPolicy: { policy: 'noop' },
      dynamicConfigClient: { filepath: join(dir, 'dynamicconfig.yaml'), pollInterval: '10s' },
    };
  };

  return {
    name: 'temporal-pg',
    endpoint: s.temporalPg,
    envVar: 'TEMPORAL_PG_ADDRESS',
    address: s.servers.TEMPORAL_PG_ADDRESS,
    extraPorts: [
      ports.history,
      ports.matching,
      ports.worker,
      ports.http,
      ports.membership,
      ports.membership + 1,
      ports.membership + 2,
      ports.membership + 6,
    ],
    details: {
      persistence: `PostgreSQL ${pgUrl.host} (${DB}, ${VISIBILITY_DB})`,
      binary: bin('server'),
      'dynamic config': s.TEMPORAL_DYNAMIC_CONFIG.join(' ') || 'server defaults',
      'web ui': `${s.servers.TEMPORAL_PG_UI_URL} (the stack's temporal-pg-ui)`,
    },
    logFile,
    pid: () => livePid(join(dir, 'temporal-pg.pid'), 'allow-no-auth'),

    installed: build.built,
    install: build.install,
    installInBackground: (say) =>
      build.installInBackground((line: string) =>
        say(`${line}; its modes run once it is built, \`npm run stack -- up temporal-pg\` waits for it`),
      ),

    async start(say) {
      const c = await waitForPostgres();
      const exists = async (db: string) =>
        (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db])).rowCount === 1;
      const fresh = { [DB]: !(await exists(DB)), [VISIBILITY_DB]: !(await exists(VISIBILITY_DB)) };
      await c.end();
      const go = requireTool('go', 'install Go 1.24+');
      const modDir = (await run(go, ['env', 'GOMODCACHE'])).trim();
      const schemaRoot = join(
        modDir,
        `go.temporal.io/server@${Versions.temporalServer}`,
        'schema',
        'postgresql',
        'v12',
      );
      if (!existsSync(schemaRoot))
        throw new StackError(
          `Temporal's schema files are missing at ${schemaRoot}: delete ${home} and run up again to rebuild`,
        );
      for (const [db, folder] of [
        [DB, 'temporal'],
        [VISIBILITY_DB, 'visibility'],
      ] as const) {
        if (fresh[db]) {
          say(`creating ${db} and its schema`);
          await sqlTool(db, ['create-database']);
          await sqlTool(db, ['setup-schema', '-v', '0.0']);
        }
        await sqlTool(db, ['update-schema', '-d', join(schemaRoot, folder, 'versioned')]);
      }
      mkdirSync(join(dir, 'config'), { recursive: true });
      writeFileSync(join(dir, 'config', 'workbench.yaml'), stringify(config()));
      const dynamic = Object.fromEntries(
        s.TEMPORAL_DYNAMIC_CONFIG.map((kv) => {
          const [k, v] = kv.split('=') as [string, string];
          return [
            k,
            [
              {
                value: v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v,
                constraints: {},
              },
            ],
          ];
        }),
      );
      writeFileSync(join(dir, 'dynamicconfig.yaml'), stringify(dynamic));
      say(`starting the Temporal server on PostgreSQL, frontend ${host}:${port}`);
      spawnDetached(
        bin('server'),
        ['--root', dir, '--config', 'config', '--env', 'workbench', '--allow-no-auth', 'start'],
        logFile,
        join(dir, 'temporal-pg.pid'),
      );
    },

    async ready() {
      const connection = await Connection.connect({ address: s.servers.TEMPORAL_PG_ADDRESS, connectTimeout: 3000 });
      try {
        const namespace = s.servers.TEMPORAL_NAMESPACE;
        const known = await connection.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        );
        if (!known)
          await connection.workflowService.registerNamespace({
            namespace,
            workflowExecutionRetentionPeriod: msToTs('1 day'),
          });
        await ensureSearchAttributes(connection, namespace);
      } finally {
        await connection.close();
      }
    },

    stop: (pid) => stopPid(pid, 'SIGTERM', 30_000),
  };
};
