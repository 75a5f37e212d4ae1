/**
 * The benchmark harness: suites against every mode in one run, on the same stack and services,
 * modes interleaved; the correctness checker after every suite; results, summary and charts in
 * benchmarks/results/<run-id>/.
 *
 *   npm run bench -- latency compensation selfcheck          # every mode
 *   npm run bench -- latency --modes custom-http,temporal-http --rates 25,50,100
 *   npm run bench -- smoke                                    # one low rate, every mode, checker on (CI)
 */
import { mkdirSync } from 'node:fs';
import { cpus, getPriority, setPriority, totalmem } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { liveProgress, loadStackSettings, stackServers, status, Versions } from '@saga/stack';
import { servers } from '@saga/testkit';
import {
  apiSuite,
  checkWorld,
  describeTransient,
  type Transient,
  describeViolations,
  fixedSuite,
  happySeed,
  latencySuite,
  type SuiteContext,
} from './suites.ts';
import { compensationSuite } from './compensation.ts';
import { measureFloors } from './floors.ts';
import { driverOf } from '@saga/launcher';
import { selfCheck } from './selfcheck.ts';
import { recoverySuite } from './recovery.ts';
import { chaosSuite } from './chaos.ts';
import { capacitySuite } from './capacity.ts';
import { profileSuite } from './profile-suite.ts';
import { complexityLines, measureComplexity } from './complexity.ts';
import { writeReport, type Results } from './report.ts';
import { parseBenchArgs, program, type Suite } from './cli.ts';
import { startBenchWorkbench } from './workbench.ts';
import { archiveSagas } from './archive.ts';
import { sdkVersions, treeState } from './provenance.ts';
import { calibrate } from './calibration.ts';
import type { Mode as SuiteMode } from './modes.ts';

const { suitesArg, opts, chosenModes, faults } = parseBenchArgs();
// The servers this run needs must be up: say which are not and how to start them, not a stack trace.
// Without --modes, the PostgreSQL-backed Temporal modes wait for their server (built in the
// background by `./workbench start` on a fresh machine): skipped, and said so, not an error.
const stackState = status(stackServers(loadStackSettings()));
const pgDown = stackState.some((s) => s.name === 'temporal-pg' && s.state === 'stopped');
const skipped = !opts.modes && pgDown ? chosenModes.filter((m) => m.server === 'pg') : [];
const modes = chosenModes.filter((m) => !skipped.includes(m));
if (skipped.length) {
  console.log(
    `skipping ${skipped.map((m) => m.name).join(', ')}: temporal-pg is not running (\`npm run stack -- status\`; on a fresh machine it is still being built in the background — \`npm run stack -- up temporal-pg\` waits for it; then \`npm run bench -- ${suitesArg.join(' ')} --modes ${skipped.map((m) => m.name).join(',')}\`)`,
  );
}
{
  // PostgreSQL, Kafka, the dev server (the run's record asks it for Temporal's version), and what
  // each mode's coordinator needs besides (its driver's servers).
  const needed = new Set<string>([
    'postgres',
    'kafka',
    'temporal',
    ...modes.flatMap((m) => driverOf(m.coordinator).servers(m)),
  ]);
  const down = stackState.filter((s) => needed.has(s.name) && s.state === 'stopped');
  if (down.length) {
    program.error(
      `the stack is not up: ${down.map((s) => `${s.name} (${s.address})`).join(', ')} not running. Start it with \`npm run stack -- up\`, or run \`npm run stack -- exec -- npm run bench -- ${process.argv.slice(2).join(' ')}\``,
    );
  }
}
const smoke = suitesArg.includes('smoke');
const suites: Suite[] = smoke
  ? ['floors', 'compensation']
  : suitesArg.length
    ? suitesArg
    : ['floors', 'latency', 'compensation', 'api', 'selfcheck'];
const rates = smoke ? [5] : opts.rates;
// The smoke: 3 interleaved slices of 2 s per mode (10 sagas each) rather than one of 3 s, so a noisy mode shows.
const stepSeconds = smoke ? 2 : opts.stepSeconds;
/**
 * The harness (load generator, observer, meter) runs above the system it measures (ADR 0006): nice
 * `--harness-nice` (−5) when it may (root or CAP_SYS_NICE); every process it starts is put back at 0.
 */
let harnessNice = getPriority();
try {
  if (opts.harnessNice !== harnessNice) setPriority(opts.harnessNice);
  harnessNice = getPriority();
} catch {
  // not allowed here: it runs at the system's priority, and says so in the settings
}
const at = new Date();
/** The seed of the run's random orders and bootstrap intervals: given, or from the clock; printed and stored. */
const seed = opts.seed ?? at.getTime() % 2 ** 31;
const runId = opts.runId ?? at.toISOString().replaceAll(':', '-').slice(0, 19) + (smoke ? '-smoke' : '');
const dir = `${opts.out}/${runId}`;

/** The live line: rewritten in place on a terminal; in a log (CI), one line every 10 s. */
const { progress, say } = liveProgress();

const versions = async () => {
  const client = new pg.Client({ connectionString: servers.POSTGRES_URL });
  await client.connect();
  const postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  await client.end();
  const connection = await Connection.connect({ address: servers.TEMPORAL_ADDRESS });
  const temporal = (await connection.workflowService.getSystemInfo({})).serverVersion ?? 'unknown';
  await connection.close();
  return {
    node: process.version,
    postgres,
    kafka: Versions.kafka,
    temporalServer: temporal,
    temporalCli: Versions.temporalCli,
    restateServer: Versions.restateServer,
  };
};

const results: Results & { command: string } = {
  runId,
  command: process.argv.slice(2).join(' '),
  at: at.toISOString(),
  modes,
  settings: {
    suites,
    modes: modes.map((m) => m.name),
    ...(skipped.length ? { skippedModes: skipped.map((m) => m.name) } : {}),
    rates,
    capacity: {
      seconds: opts.capacitySeconds,
      repeats: opts.capacityRepeats,
      start: opts.capacityStart,
      max: opts.capacityMax,
      p99LimitMs: opts.capacityP99,
      confirmations: opts.capacityConfirm,
    },
    stepSeconds,
    latencyRepeats: opts.latencyRepeats,
    floorRepeats: smoke ? 1 : opts.floorRepeats,
    fixedRate: opts.fixedRate,
    fixedCount: opts.fixedCount,
    compensationRate: opts.compensationRate,
    compensationRepeats: opts.compensationRepeats,
    faults: faults.map((f) => f.name),
    recoveryRate: opts.recoveryRate,
    recoveryRepeats: opts.recoveryRepeats,
    recoveryPreSeconds: opts.recoveryPreSeconds,
    recoveryPostSeconds: opts.recoveryPostSeconds,
    chaosRate: opts.chaosRate,
    chaosSeconds: opts.chaosSeconds,
    chaosPostSeconds: opts.chaosPostSeconds,
    profileRate: opts.profileRate,
    profileCount: opts.profileCount,
    p99LimitMs: opts.p99Limit,
    warmup: opts.warmup,
    seed,
    latencySamples: smoke ? 0 : opts.latencySamples,
    harnessNice,
    spread: opts.spread,
    smoke,
  },
  machine: {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    ...treeState(),
    ...(await versions()),
    sdks: sdkVersions(),
  },
  checks: [],
};
if (results.machine.dirty === true)
  say(
    `note: the tree differs from commit ${String(results.machine.commit).slice(0, 7)} (uncommitted changes): this run is recorded as dirty and no ADR can quote it`,
  );

say(`seed ${seed}: the modes' order in each repetition (\`--seed ${seed}\` repeats it)`);
if (opts.calibrate && !smoke) {
  progress('calibrating the machine: a CPU loop, pg_test_fsync, pgbench (~25 s)');
  const stack = loadStackSettings();
  results.machine.calibration = await calibrate({
    pgBin: stack.PG_BIN_DIR,
    postgresUrl: servers.POSTGRES_URL,
    dataDir: join(stack.SAGA_STACK_DIR, 'postgres'),
  });
  say(`calibration: ${JSON.stringify(results.machine.calibration)}`);
}

const deadlineMs = 60_000;
const wb = await startBenchWorkbench({ deadlineMs, log: say });
let failed = false;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // Ending thousands of workflows left running can take a while: a second signal does not wait.
    if (interrupted) {
      say(`\n${sig} again: exiting now; the run's databases, topics and workflows are left behind`);
      process.exit(130);
    }
    interrupted = true;
    say(
      `\n${sig}: stopping the coordinator and the services, ending the run's workflows, dropping its databases (${sig} again to exit now)`,
    );
    void wb.close().finally(() => process.exit(130));
  });
}
try {
  const spread = happySeed(opts.spread);
  await wb.seed(
    [{ sku: 'bench', quantity: 10_000_000 }, { sku: 'bench-scarce', quantity: 1 }, ...spread.stock],
    [{ id: 'bench', creditLimitCents: 1e15 }, { id: 'bench-poor', creditLimitCents: 0 }, ...spread.customers],
  );
  const ctx: SuiteContext = {
    wb,
    modes,
    stepSeconds,
    latencySamples: smoke ? 0 : opts.latencySamples,
    seed,
    p99LimitMs: opts.p99Limit,
    warmup: smoke ? 3 : opts.warmup,
    spread: opts.spread,
    say,
    progress,
    ...(smoke || opts.archiveSagas
      ? {
          archive: async (mode: SuiteMode, url: string) => {
            const n = await archiveSagas(dir, mode, url).catch((err: Error) =>
              say(`could not keep ${mode.name}'s sagas: ${err.message}`),
            );
            if (typeof n === 'number') progress(`${mode.name}: ${n} sagas kept for the Saga Explorer`);
          },
        }
      : {}),
  };
  const afterSuite = async (suite: string) => {
    progress(`${suite}: checking the four databases`);
    const transient: Transient[] = [];
    const violations = await checkWorld(wb, { transient });
    results.checks.push({
      suite,
      violations: violations.length,
      problems: describeViolations(violations),
      ...(transient.length ? { transient: describeTransient(transient) } : {}),
    });
    if (transient.length)
      say(`checker after ${suite}: seen while settling, then gone — ${describeTransient(transient).join('; ')}`);
    say(
      violations.length === 0
        ? `checker after ${suite}: every invariant holds`
        : `checker after ${suite}: FAILED\n  ${describeViolations(violations).join('\n  ')}`,
    );
    if (violations.length > 0) failed = true;
  };
  for (const suite of suites) {
    say(`\n== ${suite} ==`);
    if (suite === 'floors') {
      const temporalServers = [...new Set(modes.flatMap((m) => (m.server ? [m.server] : [])))];
      results.floors = await measureFloors(
        temporalServers,
        smoke ? 30 : 100,
        (l) => progress(l),
        smoke ? 1 : opts.floorRepeats,
        {
          dbos: modes.some((m) => m.coordinator === 'dbos'),
          restate: modes.some((m) => m.coordinator === 'restate'),
        },
      );
      const f = results.floors;
      say(
        `floors: Kafka chain (7 hops) p50 ${f.kafkaChain.p50} ms; HTTP chain p50 ${f.httpChain.p50} ms; ${f.temporal.map((t) => `Temporal ${t.server} 4 ${t.activities} activities p50 ${t.p50} ms`).join('; ')}${f.dbos ? `; DBOS 4 steps p50 ${f.dbos.p50} ms` : ''}${f.restate ? `; Restate 4 steps p50 ${f.restate.p50} ms` : ''}`,
      );
    } else if (suite === 'capacity') {
      results.capacity = await capacitySuite(ctx, {
        seconds: opts.capacitySeconds,
        repeats: opts.capacityRepeats,
        start: opts.capacityStart,
        max: opts.capacityMax,
        p99LimitMs: opts.capacityP99,
        confirmations: opts.capacityConfirm,
      });
      await afterSuite('capacity');
    } else if (suite === 'latency') {
      results.latency = await latencySuite(ctx, rates, opts.latencyRepeats);
      await afterSuite('latency');
    } else if (suite === 'fixed') {
      results.fixed = await fixedSuite(ctx, opts.fixedRate, opts.fixedCount);
      await afterSuite('fixed');
    } else if (suite === 'profile') {
      results.profile = await profileSuite(ctx, {
        rate: opts.profileRate,
        count: opts.profileCount,
        dir: join(loadStackSettings().SAGA_STACK_DIR, 'profiles', runId),
      });
      await afterSuite('profile');
    } else if (suite === 'compensation') {
      results.compensation = await compensationSuite(ctx, smoke ? 5 : opts.compensationRate, opts.compensationRepeats);
      if (results.compensation.some((c) => !c.ok)) failed = true;
      await afterSuite('compensation');
    } else if (suite === 'api') {
      results.api = await apiSuite(ctx, wb.urls.order, 5, 10);
      await afterSuite('api');
    } else if (suite === 'recovery') {
      results.recovery = await recoverySuite(ctx, faults, {
        rate: opts.recoveryRate,
        preSeconds: opts.recoveryPreSeconds,
        postSeconds: opts.recoveryPostSeconds,
        drainMs: deadlineMs + 60_000,
        repeats: opts.recoveryRepeats,
      });
      if (results.recovery.some((x) => x.lost > 0 || x.wrongEffects > 0)) failed = true;
      await afterSuite('recovery');
    } else if (suite === 'chaos') {
      results.chaos = await chaosSuite(ctx, {
        rate: opts.chaosRate,
        seconds: opts.chaosSeconds,
        postSeconds: opts.chaosPostSeconds,
        paymentFailureRate: 0.05,
        duplicateShare: 0.05,
        kafkaRestart: opts.chaosKafkaRestart,
      });
      if (results.chaos.some((x) => x.lost > 0 || x.wrongEffects > 0)) failed = true;
      await afterSuite('chaos');
    } else if (suite === 'complexity') {
      results.complexity = await measureComplexity();
      say(complexityLines(results.complexity).join('\n'));
    } else if (suite === 'selfcheck') {
      const highest = Math.max(0, ...(results.latency ?? []).flatMap((m) => m.steps.map((s) => s.throughput)));
      results.selfcheck = await selfCheck(Math.max(100, highest), say, progress);
    }
  }
} catch (err) {
  failed = true;
  say(`run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  results.error = String(err);
} finally {
  progress('stopping the services');
  await wb.close();
}
mkdirSync(dir, { recursive: true });
await writeReport(dir, results);
say(`\nresults: ${dir}/results.json, ${dir}/summary.md (+ SVG charts)`);
// Where a person looks at the sagas of the modes that ran (the drivers' web UIs: Temporal's, Restate's).
for (const d of new Set(modes.map((m) => driverOf(m.coordinator))))
  if (d.ui) say(`${d.name} sagas in its web UI: ${d.ui(process.env)}`);
if (failed) say('the run FAILED (see above)');
process.exit(failed ? 1 : 0);
