import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { ConfigError } from '@saga/config';
import { ensureChromium } from './browser.ts';
import { ensureSchemathesis } from './schemathesis.ts';
import { StackError } from './proc.ts';
import type { Server } from './server.ts';
import { loadStackSettings, SERVER_NAMES, type StackSettings } from './settings.ts';
import { down, errText, stackServers, status, up } from './stack.ts';

const log = (line: string) => console.log(line);

const pick = (servers: Server[], names: string[]) => {
  const unknown = names.filter((n) => !(SERVER_NAMES as string[]).includes(n));
  if (unknown.length > 0)
    throw new StackError(`unknown server ${unknown.join(', ')}; valid: ${SERVER_NAMES.join(', ')}`);
  return names.length === 0 ? servers : servers.filter((s) => names.includes(s.name));
};

const context = (): { s: StackSettings; servers: Server[] } => {
  const s = loadStackSettings();
  return { s, servers: stackServers(s) };
};

const printStatus = (servers: Server[], json: boolean) => {
  const rows = status(servers);
  if (json) return log(JSON.stringify(rows, null, 2));
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const state = r.state === 'running' ? `running (pid ${r.pid})` : r.state;
    log(`${r.name.padEnd(w)} ${state.padEnd(20)} ${r.address}`);
    for (const [k, v] of Object.entries(r.details)) log(`${''.padEnd(w)} ${k}: ${v}`);
    if (r.log) log(`${''.padEnd(w)} log: ${r.log}`);
  }
};

const program = new Command('stack')
  .description(
    'The local stack: PostgreSQL 15, Kafka 3.9.1 (KRaft), the Temporal servers and Restate, as child processes on loopback.',
  )
  .showHelpAfterError();

program
  .command('up')
  .description(
    'provision (first time: install, download, build into the cache) and start; a running server is left as it is',
  )
  .argument('[servers...]', `a subset of ${SERVER_NAMES.join(', ')}`)
  .option(
    '--defer-builds',
    'a server that still needs a long build (temporal-pg: go install) is built in the background and left down; `up <server>` later waits for it',
  )
  .action(async (names: string[], opts: { deferBuilds?: boolean }) => {
    const { s, servers } = context();
    await up(pick(servers, names), s, log, { deferBuilds: opts.deferBuilds ?? false });
    log('');
    printStatus(servers, false);
  });

program
  .command('down')
  .description('stop the servers this stack started (by their pid files), nothing else')
  .argument('[servers...]')
  .action(async (names: string[]) => {
    const { servers } = context();
    await down(pick(servers, names), log);
  });

program
  .command('status')
  .description('what runs where: state, pid, address, Web UI, log files')
  .option('--json', 'machine-readable')
  .action((opts: { json?: boolean }) => printStatus(context().servers, opts.json ?? false));

program
  .command('logs')
  .description("the last lines of the servers' logs")
  .argument('[servers...]')
  .option('-n, --lines <n>', 'lines per log', '40')
  .option('-f, --follow', 'keep printing as the logs grow')
  .action(async (names: string[], opts: { lines: string; follow?: boolean }) => {
    const files = pick(context().servers, names)
      .filter((s) => s.endpoint.managed)
      .map((s) => s.logFile);
    const args = ['-n', opts.lines, ...(opts.follow ? ['-F'] : []), ...files];
    process.exitCode = await runInherit('tail', args);
  });

program
  .command('browser')
  .description(
    "make sure Debian's chromium is there for the Web UI test (apt-get install when missing); prints its path",
  )
  .action(async () => log(await ensureChromium(loadStackSettings(), log)));

program
  .command('schemathesis')
  .description(
    'make sure schemathesis (PyPI, in a venv in the cache) is there for the OpenAPI conformance test; prints the path of st',
  )
  .action(async () => log(await ensureSchemathesis(loadStackSettings(), log)));

program
  .command('exec')
  .description('run a command with the stack up, then stop what this call started (leaves the stack as it found it)')
  .argument('<command...>')
  .action(async (command: string[]) => {
    const { s, servers } = context();
    const results = await up(servers, s, log);
    const startedHere = servers.filter((srv) => results.get(srv.name) === 'started');
    let code = 1;
    try {
      code = await runInherit(command[0]!, command.slice(1));
    } finally {
      if (startedHere.length > 0) {
        log(`stopping what this run started: ${startedHere.map((x) => x.name).join(', ')}`);
        await down(startedHere, log);
      }
    }
    process.exitCode = code;
  });

/** Runs a command with our terminal; Ctrl-C reaches it, and we wait for it to finish. */
const runInherit = (cmd: string, args: string[]) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt).on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });

// Exit explicitly: a client library's timer (kafkajs, the Temporal connection) left over from a
// failed readiness probe must not keep a finished command alive.
program.parseAsync().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    const known = err instanceof StackError || err instanceof ConfigError;
    console.error(known ? `stack: ${errText(err)}` : err);
    process.exit(1);
  },
);
