import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { goBuild } from './go-build.ts';
import { livePid, spawnDetached, stopPid } from './proc.ts';
import type { Server } from './server.ts';
import { Versions, type StackSettings } from './settings.ts';

/** What the UI server's command line holds (its binary's cache folder), checked against its pid file. */
const MARKER = `temporal-ui-server-${Versions.temporalUi}`;

/**
 * The Temporal Web UI for the server on PostgreSQL: Temporal's own UI server (ui-server, the UI
 * version the CLI's dev server embeds, Versions.temporalUi) built once with `go install` — its
 * page is embedded in the binary, nothing is fetched at run time — and pointed at temporal-pg's
 * frontend. It serves without that server (its page says so until the frontend answers).
 */
export const temporalPgUiServer = (s: StackSettings): Server => {
  const home = join(s.cacheDir, MARKER);
  const dir = join(s.runDir, 'temporal-pg-ui');
  const logFile = join(dir, 'temporal-pg-ui.log');
  const url = s.servers.TEMPORAL_PG_UI_URL.replace(/\/$/, '');
  const { host, port } = s.temporalPgUi;
  const build = goBuild({
    what: `Temporal UI server ${Versions.temporalUi}`,
    packages: [`github.com/temporalio/ui-server/v2/cmd/server@${Versions.temporalUi}`],
    bins: ['server'],
    home,
    dir,
    takes: 'under a minute on 2 cores',
  });

  /** ui-server's own settings (its config/<env>.yaml): loopback, the dev server's choices, no news fetched. */
  const config = () => ({
    temporalGrpcAddress: s.servers.TEMPORAL_PG_ADDRESS,
    host,
    port,
    publicPath: '',
    enableUi: true,
    defaultNamespace: s.servers.TEMPORAL_NAMESPACE,
    // This machine has no internet: no feed of Temporal news on the page.
    disableNewsFetch: true,
    refreshInterval: '0s',
    // Plain HTTP on loopback, as the CLI's dev server serves its UI.
    cors: { cookieInsecure: true, allowOrigins: [url] },
  });

  return {
    name: 'temporal-pg-ui',
    endpoint: s.temporalPgUi,
    envVar: 'TEMPORAL_PG_UI_URL',
    address: url,
    extraPorts: [],
    details: {
      ui: `${url}/namespaces/${s.servers.TEMPORAL_NAMESPACE}/workflows`,
      'temporal server': `temporal-pg at ${s.servers.TEMPORAL_PG_ADDRESS}`,
      binary: build.bin('server'),
    },
    logFile,
    pid: () => livePid(join(dir, 'temporal-pg-ui.pid'), MARKER),
    // Built in the foreground even with --defer-builds: it takes seconds once the Go modules are cached.
    install: build.install,

    async start(say) {
      mkdirSync(join(dir, 'config'), { recursive: true });
      writeFileSync(join(dir, 'config', 'workbench.yaml'), stringify(config()));
      say(`starting the Temporal Web UI for temporal-pg (${s.servers.TEMPORAL_PG_ADDRESS}) at ${url}`);
      spawnDetached(
        build.bin('server'),
        ['--root', dir, '--config', 'config', '--env', 'workbench', 'start'],
        logFile,
        join(dir, 'temporal-pg-ui.pid'),
      );
    },

    async ready() {
      // Its settings endpoint answers once the server serves the page, with the UI's version.
      const res = await fetch(`${url}/api/v1/settings`, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`the Temporal UI server at ${url} answered ${res.status}`);
      const { Version } = (await res.json()) as { Version?: string };
      if (`v${Version}` !== Versions.temporalUi)
        throw new Error(`the Temporal UI server at ${url} is version ${Version}, not ${Versions.temporalUi}`);
    },

    stop: (pid) => stopPid(pid, 'SIGTERM', 10_000),
  };
};
