import { Command, Option } from 'commander';
import { DEFAULT_SPREAD } from './suites.ts';
import { pickModes } from './modes.ts';
import { FAULTS, pickFaults } from './recovery.ts';

/** `npm run bench`'s command line: the suites, the options with their defaults, their checks (run.ts runs them). */

export const SUITES = [
  'floors',
  'capacity',
  'latency',
  'fixed',
  'profile',
  'compensation',
  'api',
  'recovery',
  'chaos',
  'complexity',
  'selfcheck',
  'smoke',
] as const;
export type Suite = (typeof SUITES)[number];

export const program = new Command('bench')
  .description('Every mode, same stack, same services, modes interleaved; the checker after every suite.')
  .argument('[suites...]', `any of ${SUITES.join(', ')} (default: floors latency compensation api selfcheck)`)
  .option('--modes <list>', 'comma-separated subset of the modes', (v) => v.split(','))
  .option(
    '--rates <list>',
    'latency suite: arrival rates to step through (per second)',
    (v) => v.split(',').map(Number),
    [5, 10, 25, 50, 100, 200, 400, 800],
  )
  .option('--step-seconds <n>', 'seconds per rate step (at least; see --latency-samples)', Number, 10)
  .option(
    '--latency-samples <n>',
    "latency suite: sagas per mode and rate over its repetitions, at least (a p99 is printed from 1,000; below, 'max of n'); each step lasts long enough for its share",
    Number,
    1000,
  )
  .option(
    '--seed <n>',
    'seed of the random order of the modes in each repetition (default: from the clock; printed and stored)',
    Number,
  )
  .option(
    '--harness-nice <n>',
    "the harness's own scheduling priority, -20 to 0 (0: the system's; below 0 needs root or CAP_SYS_NICE); what it got is stored",
    Number,
    -5,
  )
  .option('--no-calibrate', "skip the machine's calibration (CPU loop, fdatasync rate, pgbench) at the start")
  .option(
    '--latency-repeats <n>',
    'latency suite: repetitions of each rate per mode, interleaved across modes; a rate whose repetitions differ by more than 2× is flagged',
    Number,
    3,
  )
  .option('--floor-repeats <n>', 'floors: repetitions of each floor, interleaved (the smoke: 1)', Number, 3)
  .option('--capacity-seconds <n>', 'capacity suite: seconds of load per probe', Number, 15)
  .option('--capacity-repeats <n>', 'capacity suite: searches per mode, interleaved across modes', Number, 3)
  .option('--capacity-start <n>', 'capacity suite: first rate probed', Number, 10)
  .option(
    '--capacity-confirm <n>',
    'capacity suite: probes of at least 30 s at the boundary found; it holds when most pass, else the next rate below is tried (0: none)',
    Number,
    3,
  )
  .option('--capacity-max <n>', 'capacity suite: highest rate probed', Number, 640)
  .option(
    '--capacity-p99 <ms>',
    'capacity suite: a rate is sustained while p99 stays at or under this (and no errors, ≥ 95 % completed)',
    Number,
    250,
  )
  .option('--fixed-rate <n>', 'fixed suite: arrival rate', Number, 50)
  .option('--fixed-count <n>', 'fixed suite: sagas per mode', Number, 1000)
  .option('--compensation-rate <n>', 'compensation suite: arrival rate (every mode sustains it here)', Number, 5)
  .option(
    '--compensation-repeats <n>',
    'compensation suite (and the smoke): slices per mode, interleaved across modes; a mode whose slices differ by more than 2× is flagged',
    Number,
    3,
  )
  .option('--faults <list>', `recovery suite: comma-separated subset of ${FAULTS.map((f) => f.name).join(', ')}`, (v) =>
    v.split(','),
  )
  .option('--recovery-rate <n>', 'recovery suite: steady arrival rate during the faults', Number, 5)
  .option('--recovery-pre-seconds <n>', 'recovery suite: seconds of load before the fault', Number, 10)
  .option(
    '--recovery-post-seconds <n>',
    'recovery suite: seconds of load after the part is back (after its down time)',
    Number,
    20,
  )
  .option(
    '--recovery-repeats <n>',
    'recovery suite: repetitions of each fault on each mode, interleaved across the modes',
    Number,
    3,
  )
  .option(
    '--chaos-rate <n>',
    'chaos suite: arrival rate, the same for every mode (2/s: what temporal-pg-kafka sustains under these faults for an hour on 2 cores; at 3/s it tipped into a retry storm, ADR 0008)',
    Number,
    2,
  )
  .option('--chaos-seconds <n>', 'chaos suite: seconds of load with the faults overlapping, per mode', Number, 120)
  .option('--chaos-post-seconds <n>', 'chaos suite: seconds of load after the last fault', Number, 15)
  .option('--no-chaos-kafka-restart', 'chaos suite: leave Kafka running (the CI smoke)')
  .option('--profile-rate <n>', 'profile suite: arrival rate, the same for every mode', Number, 20)
  .option('--profile-count <n>', 'profile suite: sagas per mode', Number, 600)
  .option('--p99-limit <ms>', 'a rate is sustained while p99 stays at or under this', Number, 1000)
  .option('--warmup <n>', 'orders at 10/s before each slice, not measured', Number, 20)
  .option(
    '--spread <n>',
    'happy orders: products and customers they are spread over, one of each per order in turn (1: all on one product and one customer; the chaos suite always uses one)',
    Number,
    DEFAULT_SPREAD,
  )
  .option('--out <dir>', 'results root', 'benchmarks/results')
  .option(
    '--archive-sagas',
    "keep each mode's sagas (its operator API's list and timelines) in <run>/sagas/ for the Saga Explorer (the smoke does)",
  )
  .addOption(new Option('--run-id <id>', 'results folder name (default: the start time)'))
  // A hint, not the whole usage (60 lines) after every error: the error line stays the last thing on screen.
  .showHelpAfterError('(npm run bench -- --help lists every suite and option)');
/** The options as parsed. */
export type BenchOptions = {
  latencySamples: number;
  seed?: number;
  harnessNice: number;
  calibrate: boolean;
  capacitySeconds: number;
  capacityRepeats: number;
  capacityConfirm: number;
  capacityStart: number;
  capacityMax: number;
  capacityP99: number;
  profileRate: number;
  profileCount: number;
  chaosKafkaRestart: boolean;
  chaosRate: number;
  chaosSeconds: number;
  chaosPostSeconds: number;
  faults?: string[];
  recoveryRate: number;
  recoveryRepeats: number;
  latencyRepeats: number;
  floorRepeats: number;
  recoveryPreSeconds: number;
  recoveryPostSeconds: number;
  modes?: string[];
  rates: number[];
  stepSeconds: number;
  fixedRate: number;
  fixedCount: number;
  compensationRate: number;
  compensationRepeats: number;
  p99Limit: number;
  warmup: number;
  spread: number;
  out: string;
  archiveSagas?: boolean;
  runId?: string;
};

/** Parses and checks the command line; a bad suite, value, mode or fault exits with its error and the usage hint. */
export const parseBenchArgs = () => {
  program.parse();
  const suitesArg = program.args as Suite[];
  const opts = program.opts<BenchOptions>();
  const bad = suitesArg.filter((s) => !(SUITES as readonly string[]).includes(s));
  if (bad.length) program.error(`unknown suite ${bad.join(', ')}; valid: ${SUITES.join(', ')}`);
  if (opts.rates.some((r) => !Number.isFinite(r) || r <= 0))
    program.error('--rates: expected positive numbers, e.g. 25,50,100');
  for (const [flag, v] of [
    ['--compensation-repeats', opts.compensationRepeats],
    ['--capacity-repeats', opts.capacityRepeats],
    ['--latency-repeats', opts.latencyRepeats],
    ['--floor-repeats', opts.floorRepeats],
    ['--recovery-repeats', opts.recoveryRepeats],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) program.error(`${flag}: expected a whole number ≥ 1, e.g. 3`);
  }
  if (!Number.isInteger(opts.harnessNice) || opts.harnessNice < -20 || opts.harnessNice > 0)
    program.error('--harness-nice: expected a whole number from -20 to 0, e.g. -5 (0: no higher than the system)');
  if (!Number.isInteger(opts.spread) || opts.spread < 1 || opts.spread > 10_000)
    program.error('--spread: expected a whole number from 1 to 10000, e.g. 64');
  const chosenModes = (() => {
    try {
      return pickModes(opts.modes, process.env.ORCHESTRATOR);
    } catch (err) {
      return program.error((err as Error).message);
    }
  })();
  const faults = (() => {
    try {
      return pickFaults(opts.faults);
    } catch (err) {
      return program.error((err as Error).message);
    }
  })();
  return { suitesArg, opts, chosenModes, faults };
};
