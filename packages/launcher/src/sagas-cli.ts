/**
 * Sagas that a coordinator owns and has not finished (ADR 0011):
 *   npm run sagas -- in-flight [--json]        per coordinator: how many, the oldest ids
 *   npm run sagas -- drain <custom|temporal>   run that coordinator until its sagas are done, starting none
 * Drain runs beside whatever else runs (the services must be up: npm run services).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { liveProgress } from '@saga/stack';
import { inFlight, OWNERS, type Owner } from './in-flight.ts';
import { prepareProcesses } from './build.ts';
import { hasProcess, spawnService, stopAll, waitHealthy } from './processes.ts';

const program = new Command('sagas').description('sagas in flight per coordinator; drain one coordinator');

program
  .command('in-flight')
  .description('how many sagas each coordinator owns and has not finished, with the oldest ids')
  .option('--json', 'print JSON')
  .option('--limit <n>', 'ids to show per coordinator', (v) => Number(v), 10)
  .action(async (opts: { json?: boolean; limit: number }) => {
    const found = await inFlight(OWNERS, process.env, opts.limit);
    if (opts.json) return console.log(JSON.stringify(found, null, 2));
    for (const f of found) {
      if (f.count === undefined) console.log(`${f.owner.padEnd(9)} unknown: ${f.error}`);
      else
        console.log(
          `${f.owner.padEnd(9)} ${f.count} in flight${f.ids.length ? `: ${f.ids.join(', ')}${f.count > f.ids.length ? ', …' : ''}` : ''}`,
        );
    }
  });

const owner = (v: string): Owner => {
  if (!(OWNERS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`expected one of ${OWNERS.join(', ')}`);
  return v as Owner;
};

program
  .command('drain')
  .description('start <coordinator> in drain mode (no new sagas) until every saga it owns is finished, then stop it')
  .argument('<coordinator>', OWNERS.join(' | '), owner)
  .option(
    '--stall-seconds <s>',
    'give up when the count has not moved for this long (parked sagas need an operator)',
    (v) => Number(v),
    60,
  )
  .action(async (who: Owner, opts: { stallSeconds: number }) => {
    if (!hasProcess(who)) {
      // Its sagas move only while the services run in its mode (ADR 0018): there is no process to start apart.
      console.error(
        `${who} has no process of its own to drain with; run the services with ORCHESTRATOR=${who} until its sagas finish (npm run sagas -- in-flight counts them)`,
      );
      process.exitCode = 2;
      return;
    }
    const count = async () => (await inFlight([who]))[0]!;
    const first = await count();
    if (first.count === 0) return console.log(`${who}: nothing in flight`);
    console.log(
      `${who}: ${first.count ?? 'an unknown number of'} sagas in flight; starting it in drain mode (it starts no new saga)`,
    );
    await prepareProcesses();
    const proc = spawnService(who, { ...process.env, SAGA_DRAIN: 'true', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    let code = 0;
    try {
      await waitHealthy(proc, 120_000);
      const live = liveProgress(process.stdout, 5_000);
      let last = first.count;
      let movedAt = Date.now();
      for (;;) {
        const now = await count();
        if (now.count === 0) break;
        if (now.count !== last) [last, movedAt] = [now.count, Date.now()];
        live.progress(`${who}: ${now.count ?? '?'} in flight`);
        if (Date.now() - movedAt > opts.stallSeconds * 1000) {
          console.log(
            `\n${who}: ${now.count} sagas did not move for ${opts.stallSeconds} s (parked for an operator?): ${now.ids.join(', ')}`,
          );
          code = 1;
          break;
        }
        await sleep(1_000);
      }
      if (code === 0) console.log(`\n${who}: drained, every saga it owns is finished`);
    } finally {
      await stopAll([proc]);
    }
    process.exit(code);
  });

await program.parseAsync();
process.exit(0);
