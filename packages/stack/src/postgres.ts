import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '@saga/postgres';
import { aptInstall, isRoot, livePid, requireTool, run, stopPid } from './proc.ts';
import type { Server } from './server.ts';
import { DATABASES, Versions, type StackSettings } from './settings.ts';

/** PostgreSQL from Debian's binaries, run as the `postgres` user when we are root (it refuses root). */
export const postgresServer = (s: StackSettings): Server => {
  const dir = join(s.runDir, 'postgres');
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const logFile = join(dir, 'postgres.log');
  const bin = (tool: string) => join(s.PG_BIN_DIR, tool);
  const asPostgres = (tool: string, args: string[]) =>
    isRoot() ? run('runuser', ['-u', 'postgres', '--', bin(tool), ...args]) : run(bin(tool), args);
  const { host, port } = s.postgres;

  return {
    name: 'postgres',
    endpoint: s.postgres,
    envVar: 'POSTGRES_URL',
    address: s.servers.POSTGRES_URL,
    extraPorts: [],
    details: { databases: DATABASES.join(', '), data },
    logFile,
    pid: () => livePid(join(data, 'postmaster.pid'), 'postgres'),

    async install(say) {
      if (!existsSync(bin('initdb'))) {
        await aptInstall(
          `postgresql-${Versions.postgres}`,
          say,
          `PostgreSQL ${Versions.postgres} server binaries not found in ${s.PG_BIN_DIR}.`,
          'or set PG_BIN_DIR, or POSTGRES_URL to your own server',
        );
      }
      if (isRoot()) requireTool('runuser', 'apt-get install -y util-linux');
      mkdirSync(sock, { recursive: true, mode: 0o755 });
      mkdirSync(data, { recursive: true, mode: 0o700 });
      if (isRoot()) {
        const uid = Number((await run('id', ['-u', 'postgres'])).trim());
        const gid = Number((await run('id', ['-g', 'postgres'])).trim());
        for (const d of [dir, sock, data]) chownSync(d, uid, gid);
      }
      if (!existsSync(join(data, 'PG_VERSION'))) {
        say(`initdb ${data}`);
        await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
      }
    },

    async start(say) {
      say(`starting on ${host}:${port}`);
      const opts = [
        `-p ${port}`,
        `-k ${sock}`,
        `-c listen_addresses=${host}`,
        // Four services, two coordinators, relays and tests, each with a pool.
        '-c max_connections=400',
        '-c shared_buffers=256MB',
      ].join(' ');
      await asPostgres('pg_ctl', ['-D', data, '-o', opts, '-l', logFile, '-w', '-t', '60', 'start']);
    },

    async ready() {
      const client = new pg.Client({ connectionString: s.servers.POSTGRES_URL, connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        await client.query('SELECT 1');
      } finally {
        await client.end();
      }
      for (const db of DATABASES) await ensureDatabase(s.servers.POSTGRES_URL, db);
    },

    // SIGINT is Postgres' "fast" shutdown: it does not wait for clients to disconnect.
    stop: (pid) => stopPid(pid, 'SIGINT', 60_000),
  };
};
