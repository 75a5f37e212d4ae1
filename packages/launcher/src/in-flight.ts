import { COORDINATOR_NAMES, driverOf, isCoordinator, type CoordinatorName, type InFlight } from './coordinators.ts';
import { hasProcess } from './processes.ts';

export type { InFlight };
/** The coordinators that own sagas (ADR 0011): every one in the registry; `none` owns nothing. */
export const OWNERS = COORDINATOR_NAMES;
export type Owner = CoordinatorName;

type Env = Record<string, string | undefined>;

/** What each coordinator still has in flight, read by its driver from its own store (never from another's). */
export const inFlight = async (
  owners: readonly Owner[] = OWNERS,
  env: Env = process.env,
  limit = 10,
): Promise<InFlight[]> =>
  Promise.all(
    owners.map((o) =>
      driverOf(o)
        .inFlight(env, limit)
        .then((f) => ({ owner: o, ...f }))
        .catch((err: unknown) => ({ owner: o, ids: [], error: err instanceof Error ? err.message : String(err) })),
    ),
  );

/**
 * What the launcher tells the user when it starts `active`: sagas another coordinator owns finish
 * only there (ADR 0011). Empty when nothing waits.
 */
export const inFlightNotice = (active: Owner | 'none', found: InFlight[]): string[] =>
  found
    .filter((f) => f.owner !== active && (f.count === undefined || f.count > 0))
    .map((f) =>
      f.count === undefined
        ? `could not tell whether ${f.owner} has sagas in flight (${f.error}); any it has finish when ${f.owner} runs`
        : `${f.count} saga${f.count === 1 ? '' : 's'} owned by ${f.owner} ${f.count === 1 ? 'is' : 'are'} still in flight; ${f.count === 1 ? 'it finishes' : 'they finish'} when ${f.owner} runs ` +
          `(ORCHESTRATOR=${f.owner} npm run services${isCoordinator(f.owner) && hasProcess(f.owner) ? `, or alongside: npm run sagas -- drain ${f.owner}` : ''})`,
    );
