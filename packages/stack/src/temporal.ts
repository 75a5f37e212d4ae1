import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { temporalConnection } from '@saga/config';
import { livePid, requireTool, run, spawnDetached, stopPid, withProgress } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';

/** The Temporal coordinator's search attributes (so the Web UI lists and filters sagas by them). */
const { IndexedValueType } = proto.temporal.api.enums.v1;
const SEARCH_ATTRIBUTES: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  OrderId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  SagaStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
};

/** Registers the coordinator's search attributes on a server that lacks them (idempotent). */
export const ensureSearchAttributes = async (connection: Connection, namespace: string) => {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, SEARCH_ATTRIBUTES[name]!])),
    });
  }
};

/** The Temporal CLI dev server (Server 1.29.1, Web UI 2.42.1), built from the Go module proxy. */
export const temporalServer = (s: StackSettings): Server => {
  const bin = s.TEMPORAL_CLI ?? join(s.cacheDir, 'bin', 'temporal');
  const dir = join(s.runDir, 'temporal');
  const logFile = join(dir, 'temporal.log');
  const { host, port, uiPort } = s.temporal;
  const uiUrl = s.servers.TEMPORAL_UI_URL;

  return {
    name: 'temporal',
    endpoint: s.temporal,
    envVar: 'TEMPORAL_ADDRESS',
    address: s.servers.TEMPORAL_ADDRESS,
    extraPorts: [uiPort],
    details: { ui: uiUrl, namespace: s.servers.TEMPORAL_NAMESPACE, binary: bin, db: join(dir, 'temporal.db'), 'dynamic config': s.TEMPORAL_DYNAMIC_CONFIG.join(' ') || 'dev server defaults' },
    logFile,
    pid: () => livePid(join(dir, 'temporal.pid'), 'start-dev'),

    async install(say) {
      mkdirSync(dir, { recursive: true });
      if (existsSync(bin)) return;
      const go = requireTool('go', 'install Go 1.24+ (apt-get install -y golang-go, or put its bin folder on PATH)');
      say(`building Temporal CLI ${Versions.temporalCli} with go install (about 4 min cold on 2 cores); log: ${join(dir, 'build.log')}`);
      await withProgress(
        'still building the Temporal CLI',
        run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${Versions.temporalCli}`], {
          env: { ...process.env, CGO_ENABLED: '0', GOBIN: join(s.cacheDir, 'bin'), GOFLAGS: '-buildvcs=false' },
          logFile: join(dir, 'build.log'),
        }),
        say,
      );
    },

    async start(say) {
      say(`starting dev server on ${host}:${port}, Web UI ${uiUrl}`);
      spawnDetached(
        bin,
        [
          'server', 'start-dev',
          '--ip', host,
          '--port', String(port),
          '--ui-port', String(uiPort),
          // A file, not memory: workflows survive a restart of the server.
          '--db-filename', join(dir, 'temporal.db'),
          // Write-ahead log: one fsync per commit (like Postgres' WAL) instead of the rollback
          // journal's several; synchronous stays FULL, so a commit is still durable (ADR 0005).
          '--sqlite-pragma', 'journal_mode=WAL',
          '--namespace', s.servers.TEMPORAL_NAMESPACE,
          // The Temporal coordinator's search attributes, so the Web UI lists and filters sagas.
          '--search-attribute', 'OrderId=Keyword',
          '--search-attribute', 'SagaStatus=Keyword',
          '--log-level', 'warn',
          ...s.TEMPORAL_DYNAMIC_CONFIG.flatMap((kv) => ['--dynamic-config-value', kv]),
        ],
        logFile,
        join(dir, 'temporal.pid'),
      );
    },

    async ready() {
      const connection = await Connection.connect({ ...temporalConnection(s.servers), connectTimeout: 3000 });
      try {
        const namespace = s.servers.TEMPORAL_NAMESPACE;
        await connection.workflowService.describeNamespace({ namespace });
        // start-dev registers --search-attribute only into a new database file: make sure they exist.
        await ensureSearchAttributes(connection, namespace);
      } finally {
        await connection.close();
      }
      if (s.temporal.managed) {
        const res = await fetch(uiUrl, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`Temporal Web UI at ${uiUrl} answered ${res.status}`);
      }
    },

    stop: (pid) => stopPid(pid, 'SIGTERM', 30_000),
  };
};
