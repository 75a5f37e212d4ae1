import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** Faults a service injects into its own command handling, switched at run time (admin API). */
export const FaultSettings = z
  .object({
    /** Added before each command is handled. */
    latencyMs: z.number().int().min(0).max(60_000),
    /** Share of commands refused as a transient failure: not processed, not acknowledged. */
    failureRate: z.number().min(0).max(1),
    /** Kill the process (SIGKILL) when the next command arrives, before it is processed. */
    crash: z.boolean(),
  })
  .strict();
export type FaultSettings = z.infer<typeof FaultSettings>;

export const NO_FAULTS: FaultSettings = Object.freeze({ latencyMs: 0, failureRate: 0, crash: false });

/** A command refused on purpose by fault injection; the caller retries it (same command id). */
export class TransientFault extends Error {
  override name = 'TransientFault';
}

export const isTransient = (err: unknown): boolean => err instanceof TransientFault;

export interface Faults {
  get(): FaultSettings;
  /** Commands refused as transient failures since start. */
  refused(): number;
  set(patch: Partial<FaultSettings>): FaultSettings;
  /** Runs before each command: delays, refuses or crashes as configured. */
  beforeCommand(): Promise<void>;
}

export const createFaults = (
  random: () => number = Math.random,
  crash: () => void = () => process.kill(process.pid, 'SIGKILL'),
): Faults => {
  let current: FaultSettings = NO_FAULTS;
  let refused = 0;
  return {
    get: () => current,
    refused: () => refused,
    set: (patch) => (current = FaultSettings.parse({ ...current, ...patch })),
    async beforeCommand() {
      if (current.crash) crash();
      if (current.latencyMs > 0) await sleep(current.latencyMs);
      if (current.failureRate > 0 && random() < current.failureRate) {
        refused++;
        throw new TransientFault(`injected transient failure (rate ${current.failureRate})`);
      }
    },
  };
};
