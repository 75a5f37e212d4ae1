/**
 * The Saga Explorer (ADR 0021):
 *   npm run explorer                   build the page, serve it on EXPLORER_PORT (3100) until Ctrl-C
 *   npm run explorer -- --detach       the same in the background (pid and log under SAGA_STACK_DIR/explorer);
 *                                      ./workbench start does this after its comparison run
 *   npm run explorer -- --stop         stops the one in the background (./workbench stop does)
 *   npm run explorer -- --build-only   build the page (npm's postinstall runs this)
 * It reads the coordinators' operator APIs only (their usual ports, or EXPLORER_<NAME>_URL) —
 * start them with `npm run services` — and the sagas that benchmark runs kept (`--archive-sagas`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ConfigError, loadConfig, setting } from '@saga/config';
import { createLogger, listen } from '@saga/http';
import { livePid, loadStackSettings, spawnDetached, stopPid } from '@saga/stack';
import { buildExplorer } from './build.ts';
import { explorerApp, modeLinks, sourcesOf } from './server.ts';

const opts = new Command('explorer')
  .description('the Saga Explorer: every coordinator’s sagas in one web UI (find, follow, repair)')
  .option('--detach', 'run in the background (pid file and log under SAGA_STACK_DIR/explorer)')
  .option('--stop', 'stop the explorer running in the background')
  .option('--build-only', 'build the page and exit')
  .parse()
  .opts<{ detach?: boolean; stop?: boolean; buildOnly?: boolean }>();

let cfg: { EXPLORER_PORT: number; EXPLORER_HOST: string };
try {
  cfg = loadConfig({ EXPLORER_PORT: setting.port(3100), EXPLORER_HOST: setting.string('127.0.0.1') });
} catch (err) {
  console.error(`explorer: ${(err as ConfigError).message}`);
  process.exit(2);
}
const here = fileURLToPath(import.meta.url);
const dir = join(loadStackSettings().SAGA_STACK_DIR, 'explorer');
const pidFile = join(dir, 'explorer.pid');
const address = `http://${cfg.EXPLORER_HOST}:${cfg.EXPLORER_PORT}/`;

if (opts.stop) {
  const pid = livePid(pidFile, here);
  if (pid) await stopPid(pid);
  console.log(pid ? `explorer: stopped (pid ${pid})` : 'explorer: not running in the background');
  process.exit(0);
}

const assets = await buildExplorer();
if (opts.buildOnly) {
  console.log(`explorer: page built in ${assets}`);
  process.exit(0);
}

if (opts.detach) {
  const running = livePid(pidFile, here);
  if (running) {
    console.log(`Saga Explorer: ${address} (already running, pid ${running})`);
    process.exit(0);
  }
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'explorer.log');
  const pid = spawnDetached(process.execPath, [...process.execArgv, here], log, pidFile, { env: process.env });
  // Up when it answers; a start-up error (a taken port) is in its log.
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${address}api/runs`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      console.log(`Saga Explorer: ${address} (pid ${pid}, log ${log}; npm run explorer -- --stop)`);
      process.exit(0);
    }
    await sleep(100);
  }
  console.error(`explorer: did not answer at ${address} within 10 s; see ${log}`);
  process.exit(1);
}

const sources = sourcesOf(process.env);
const app = explorerApp({
  logger: createLogger('explorer', process.env.LOG_LEVEL ?? 'warn'),
  sources,
  linksOf: modeLinks(process.env),
  assets,
  results: fileURLToPath(new URL('../../../benchmarks/results/', import.meta.url)),
});
const server = await listen(app, cfg.EXPLORER_PORT, cfg.EXPLORER_HOST).catch((err: NodeJS.ErrnoException) => {
  console.error(
    err.code === 'EADDRINUSE'
      ? `explorer: port ${cfg.EXPLORER_PORT} is taken (EXPLORER_PORT moves it)`
      : `explorer: ${err.message}`,
  );
  process.exit(1);
});
console.log(`Saga Explorer: ${server.url}/`);
for (const s of sources) console.log(`  ${s.name.padEnd(12)} operator API ${s.url}`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);
