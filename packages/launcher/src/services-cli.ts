/**
 * Runs the domain services against the local stack until Ctrl-C:
 *   npm run services                 all four
 *   npm run services -- order payment   a subset (each service can also run alone)
 * With all four, the coordinator named by ORCHESTRATOR (custom | temporal | choreography | dbos | none) starts too.
 */
import { Command } from 'commander';
import { ConfigError, loadConfig, setting } from '@saga/config';
import { inFlight, inFlightNotice } from './in-flight.ts';
import { COORDINATORS, SERVICES, startServices, stopAll, type ServiceName } from './processes.ts';

const names = new Command('services')
  .description('start the domain services (all four by default) and stop them cleanly on Ctrl-C')
  .argument('[services...]', SERVICES.map((s) => s.name).join(', '))
  .parse().args as ServiceName[];
const unknown = names.filter((n) => !SERVICES.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`services: unknown service ${unknown.join(', ')}; valid: ${SERVICES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

let ORCHESTRATOR: (typeof COORDINATORS)[number];
try {
  ({ ORCHESTRATOR } = loadConfig({ ORCHESTRATOR: setting.oneOf(COORDINATORS, 'custom') }));
} catch (err) {
  console.error(`services: ${(err as ConfigError).message}`);
  process.exit(2);
}
const running = await startServices(
  names.length > 0 ? names : undefined,
  undefined,
  names.length > 0 ? 'none' : ORCHESTRATOR,
).catch((err: Error) => {
  console.error(`services: ${err.message}`);
  process.exit(1);
});
console.log('\nservices ready (Ctrl-C stops them):');
for (const r of running) console.log(`  ${r.name.padEnd(13)} ${r.url}   (pid ${r.child.pid})`);
// Each saga stays with the coordinator that claimed it (ADR 0011): say what waits for another one.
if (names.length === 0)
  for (const line of inFlightNotice(ORCHESTRATOR, await inFlight())) console.log(`\nnote: ${line}`);

let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping services…');
  await stopAll(running);
  process.exit(code);
};
process.once('SIGINT', () => void shutdown(0)).once('SIGTERM', () => void shutdown(0));
for (const r of running) {
  void r.exited.then((code) => {
    if (!stopping) {
      console.error(`services: ${r.name} exited unexpectedly (code ${code}); stopping the others`);
      void shutdown(1);
    }
  });
}
