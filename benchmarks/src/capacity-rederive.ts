/**
 * Re-derives a run's capacity figures from the probes stored in its results.json (e.g. after
 * the marginal-CPU formula changed) and rewrites its results.json and summary.md. Only for runs
 * of the capacity suite alone: other suites' raw samples are not kept in results.json.
 *
 *   npx tsx benchmarks/src/capacity-rederive.ts benchmarks/results/<run>
 */
import { readFileSync } from 'node:fs';
import { capacityRun, summariseCapacity } from './harness/capacity.ts';
import { writeReport, type Results } from './harness/report.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: capacity-rederive.ts <results dir>');
const r = JSON.parse(readFileSync(`${dir}/results.json`, 'utf8')) as Results;
if (!r.capacity) throw new Error(`${dir}: no capacity results`);
if (r.latency || r.fixed || r.compensation)
  throw new Error(`${dir}: has other suites whose raw samples results.json does not keep; re-run instead`);
r.capacity = r.capacity.map((c) =>
  summariseCapacity(
    c.mode,
    c.runs.map((run) => capacityRun(run.repetition, run.probes)),
  ),
);
await writeReport(dir, r);
