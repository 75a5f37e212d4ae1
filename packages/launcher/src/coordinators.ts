import type { CoordinatorDriver, Mode as DriverMode } from './driver.ts';
import { choreographyDriver } from './drivers/choreography.ts';
import { customDriver } from './drivers/custom.ts';
import { dbosDriver } from './drivers/dbos.ts';
import { restateDriver } from './drivers/restate.ts';
import { temporalDriver } from './drivers/temporal.ts';

export type { CoordinatorDriver, InFlight, ServerAddresses } from './driver.ts';
export { temporalAddress } from './drivers/temporal.ts';

/** Every coordinator, one line each (issue 15): the launcher, the harness, the tests and the docs read this. */
export const DRIVERS = [
  customDriver,
  temporalDriver,
  choreographyDriver,
  dbosDriver,
  restateDriver,
] as const satisfies readonly CoordinatorDriver[];

export type CoordinatorName = (typeof DRIVERS)[number]['name'];
export const COORDINATOR_NAMES = DRIVERS.map((d) => d.name) as [CoordinatorName, ...CoordinatorName[]];

export const isCoordinator = (name: string): name is CoordinatorName =>
  COORDINATOR_NAMES.includes(name as CoordinatorName);

/** The driver of a coordinator by name; an unknown name is an error listing the valid ones. */
export const driverOf = (name: string): CoordinatorDriver => {
  const d = DRIVERS.find((x) => x.name === name);
  if (!d) throw new Error(`"${name}" is not a coordinator; valid: ${COORDINATOR_NAMES.join(', ')}`);
  return d;
};

/** One benchmark mode of a coordinator in the registry. */
export type Mode = DriverMode & { coordinator: CoordinatorName };

/** Every benchmark mode of every coordinator, in the registry's order. */
export const MODES: Mode[] = DRIVERS.flatMap((d) => d.modes.map((m): Mode => ({ ...m, coordinator: d.name })));
