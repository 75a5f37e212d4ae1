import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { livePid, requireTool, run, spawnDetached, StackError, stopPid, withProgress } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';

/** The npm package that carries the server binary for this machine (`@restatedev/restate-server` picks it the same way). */
const platformPackage = () => `@restatedev/restate-server-${process.platform}-${process.arch}`;

/**
 * The Restate server from the npm registry (ADR 0020): the pinned platform package installed into
 * the cache (outside the checkout, reused by every clone), its version checked. No install scripts
 * run, so nothing is fetched at run time.
 */
export const installRestateServer = async (s: StackSettings, say: (msg: string) => void): Promise<string> => {
  const bin = s.restateServer;
  if (existsSync(bin)) return bin;
  if (s.RESTATE_SERVER_BIN)
    throw new StackError(
      `RESTATE_SERVER_BIN=${s.RESTATE_SERVER_BIN} does not exist: point it at a restate-server binary, or unset it to use the pinned one`,
    );
  const npm = requireTool('npm', 'install Node.js 20 with npm, which fetches the Restate server package');
  // bin = <home>/node_modules/@restatedev/<pkg>/bin/restate-server
  const home = dirname(dirname(dirname(dirname(dirname(bin)))));
  const tmp = mkdtempSync(join(tmpdir(), 'restate-server-'));
  say(`fetching the Restate server ${Versions.restateServer} (npm ${platformPackage()}, ~70 MB) into ${home}`);
  try {
    await withProgress(
      'still fetching the Restate server package',
      run(npm, [
        'install',
        '--prefix',
        tmp,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
        `${platformPackage()}@${Versions.restateServer}`,
      ]),
      say,
    );
    const got = join(tmp, 'node_modules', '@restatedev', platformPackage().split('/')[1]!, 'bin', 'restate-server');
    if (!existsSync(got))
      throw new StackError(`npm install ${platformPackage()}@${Versions.restateServer} left no binary at ${got}`);
    const version = (await run(got, ['--version'])).trim();
    if (!version.includes(Versions.restateServer))
      throw new StackError(`the ${platformPackage()} package holds "${version}", not ${Versions.restateServer}`);
    mkdirSync(dirname(home), { recursive: true });
    rmSync(home, { recursive: true, force: true });
    renameSync(tmp, home);
    say(version);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
};

/**
 * The Restate server (single node, all roles), on loopback: ingress, admin API with its web UI,
 * and the node-to-node port, its data under the stack's run directory (survives a restart).
 */
export const restateServer = (s: StackSettings): Server => {
  const dir = join(s.runDir, 'restate');
  const logFile = join(dir, 'restate.log');
  const { host, port, adminPort } = s.restate;
  const admin = s.servers.RESTATE_ADMIN_URL.replace(/\/$/, '');
  /** Node-to-node traffic (one node here): the admin port + 1 (Restate's own default is 5122). */
  const fabricPort = adminPort + 1;
  return {
    name: 'restate',
    endpoint: s.restate,
    envVar: 'RESTATE_INGRESS_URL',
    address: s.servers.RESTATE_INGRESS_URL,
    extraPorts: [adminPort, fabricPort],
    details: {
      ui: `${admin}/ui`,
      admin,
      binary: s.restateServer,
      data: join(dir, 'data'),
      partitions: String(s.RESTATE_PARTITIONS),
    },
    logFile,
    pid: () => livePid(join(dir, 'restate.pid'), 'restate-server'),

    async install(say) {
      mkdirSync(dir, { recursive: true });
      await installRestateServer(s, say);
    },

    async start(say) {
      say(`starting on ${host}:${port} (ingress), admin and web UI ${admin}/ui`);
      spawnDetached(
        s.restateServer,
        [
          '--no-logo',
          '--node-name',
          'saga-workbench',
          '--base-dir',
          join(dir, 'data'),
          '--default-num-partitions',
          String(s.RESTATE_PARTITIONS),
        ],
        logFile,
        join(dir, 'restate.pid'),
        {
          env: {
            ...process.env,
            RESTATE_LISTEN_MODE: 'tcp',
            RESTATE_BIND_ADDRESS: `${host}:${fabricPort}`,
            RESTATE_ADVERTISED_ADDRESS: `http://${host}:${fabricPort}/`,
            RESTATE_INGRESS__BIND_ADDRESS: `${host}:${port}`,
            RESTATE_ADMIN__BIND_ADDRESS: `${host}:${adminPort}`,
            // No telemetry, no update check: this machine has no internet.
            RESTATE_DISABLE_TELEMETRY: 'true',
            RESTATE_LOG_FILTER: 'warn,octocrab=off',
            RESTATE_LOG_FORMAT: 'compact',
          },
        },
      );
    },

    async ready() {
      const health = await fetch(`${admin}/health`, { signal: AbortSignal.timeout(3000) });
      if (!health.ok) throw new Error(`Restate admin at ${admin} answered ${health.status}`);
      const ingress = await fetch(`${s.servers.RESTATE_INGRESS_URL.replace(/\/$/, '')}/restate/health`, {
        signal: AbortSignal.timeout(3000),
      });
      if (!ingress.ok) throw new Error(`Restate ingress answered ${ingress.status}`);
    },

    stop: (pid) => stopPid(pid, 'SIGTERM', 30_000),
  };
};
