import { seededInts } from '../evidence.ts';
import { COORDINATOR_NAMES, driverOf, isCoordinator, MODES, type Mode, type ServerAddresses } from '@saga/launcher';

/**
 * The modes compared in one run: each coordinator's, as its driver lists them (the registry in
 * @saga/launcher). Same services, same stack; only the coordinator process changes.
 */
export { MODES, type Mode };

/**
 * `--modes a,b` → those modes, in the given order; an unknown name is an error listing the valid
 * ones. Without `--modes`, `ORCHESTRATOR=<coordinator>` keeps that coordinator's modes.
 */
export const pickModes = (names: string[] | undefined, orchestrator?: string): Mode[] => {
  if (!names || names.length === 0) {
    if (!orchestrator) return MODES;
    if (!isCoordinator(orchestrator))
      throw new Error(
        `ORCHESTRATOR="${orchestrator}" is not a coordinator; valid: ${COORDINATOR_NAMES.join(', ')} (or unset for every mode)`,
      );
    return MODES.filter((m) => m.coordinator === orchestrator);
  }
  const unknown = names.filter((n) => !MODES.some((m) => m.name === n));
  if (unknown.length > 0)
    throw new Error(`unknown mode ${unknown.join(', ')}; valid: ${MODES.map((m) => m.name).join(', ')}`);
  return names.map((n) => MODES.find((m) => m.name === n)!);
};

/** The coordinator's settings for a mode (its driver's: a Temporal mode gets its own task queue, so its workflows can be counted apart). */
export const modeEnv = (mode: Mode, run: string, servers: ServerAddresses): Record<string, string> =>
  driverOf(mode.coordinator).modeEnv(mode, run, servers);

/**
 * Interleaved repetitions: every mode once per repetition, so machine noise and drift fall on all
 * modes alike — in the order given (A B C, A B C) or, with a `seed`, in a seeded random order per
 * repetition (B A C, C B A, …), so no mode always runs first or right after the same neighbour.
 */
export const interleave = <M>(modes: M[], repeats: number, seed?: number) => {
  const pick = seed === undefined ? undefined : seededInts(seed);
  return Array.from({ length: repeats }, (_, i) => {
    const order = [...modes];
    // Fisher–Yates with the seeded source.
    if (pick)
      for (let j = order.length - 1; j > 0; j--) {
        const k = pick(j + 1);
        [order[j], order[k]] = [order[k]!, order[j]!];
      }
    return order.map((mode) => ({ rep: i + 1, mode }));
  }).flat();
};

/**
 * The latency suite's order: per repetition, the rates in a seeded random order, and at each rate
 * the modes in a seeded random order — so neither a mode nor a rate always comes first, warm or
 * right after the same neighbour. Without a seed: rates up in order, modes as given.
 */
export const latencyPlan = <M>(modes: M[], rates: number[], repeats: number, seed?: number) =>
  interleave(rates, repeats, seed).flatMap(({ rep, mode: rate }, i) =>
    interleave(modes, 1, seed === undefined ? undefined : seed + 7919 * (i + 1)).map(({ mode }) => ({
      rep,
      rate,
      mode,
    })),
  );

/**
 * The settings of a mode's extra coordinator instance `i` (0: the default ones): its own HTTP port
 * and instance id, and its own port for every other listener its driver names (`instancePorts`),
 * the same again when that instance is restarted (Restate resumes its invocations there).
 */
export const extraInstanceEnv = (freePort: () => Promise<number>) => {
  const kept = new Map<string, string>();
  return async (mode: Mode, i: number): Promise<Record<string, string>> => {
    if (i === 0) return {};
    const driver = driverOf(mode.coordinator);
    const env = { [driver.port.setting]: String(await freePort()), INSTANCE_ID: `${mode.name}-${i}` };
    for (const setting of driver.instancePorts ?? []) {
      const key = `${mode.name}#${i}:${setting}`;
      if (!kept.has(key)) kept.set(key, String(await freePort()));
      env[setting] = kept.get(key)!;
    }
    return env;
  };
};
