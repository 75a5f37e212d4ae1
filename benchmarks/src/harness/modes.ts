/**
 * The modes compared in one run: each coordinator over each transport (Temporal also with local
 * activities over HTTP). Same services, same stack; only the coordinator process changes.
 */
export interface Mode {
  name: string;
  coordinator: 'custom' | 'temporal';
  transport: 'kafka' | 'http';
  activities?: 'regular' | 'local';
  /** Temporal modes: the stack's dev server (SQLite) or the Temporal server on PostgreSQL. */
  server?: 'dev' | 'pg';
}

export const MODES: Mode[] = [
  { name: 'custom-kafka', coordinator: 'custom', transport: 'kafka' },
  { name: 'custom-http', coordinator: 'custom', transport: 'http' },
  { name: 'temporal-kafka', coordinator: 'temporal', transport: 'kafka', activities: 'regular', server: 'dev' },
  { name: 'temporal-http', coordinator: 'temporal', transport: 'http', activities: 'regular', server: 'dev' },
  { name: 'temporal-http-local', coordinator: 'temporal', transport: 'http', activities: 'local', server: 'dev' },
  { name: 'temporal-pg-kafka', coordinator: 'temporal', transport: 'kafka', activities: 'regular', server: 'pg' },
  { name: 'temporal-pg-http', coordinator: 'temporal', transport: 'http', activities: 'regular', server: 'pg' },
  { name: 'temporal-pg-http-local', coordinator: 'temporal', transport: 'http', activities: 'local', server: 'pg' },
];

/**
 * `--modes a,b` → those modes, in the given order; an unknown name is an error listing the valid
 * ones. Without `--modes`, `ORCHESTRATOR=custom|temporal` keeps that coordinator's modes.
 */
export const pickModes = (names: string[] | undefined, orchestrator?: string): Mode[] => {
  if (!names || names.length === 0) {
    if (!orchestrator) return MODES;
    if (orchestrator !== 'custom' && orchestrator !== 'temporal') throw new Error(`ORCHESTRATOR="${orchestrator}" is not a coordinator; valid: custom, temporal (or unset for every mode)`);
    return MODES.filter((m) => m.coordinator === orchestrator);
  }
  const unknown = names.filter((n) => !MODES.some((m) => m.name === n));
  if (unknown.length > 0) throw new Error(`unknown mode ${unknown.join(', ')}; valid: ${MODES.map((m) => m.name).join(', ')}`);
  return names.map((n) => MODES.find((m) => m.name === n)!);
};

/** The address of the Temporal server a mode uses. */
export const temporalAddress = (mode: Mode, servers: { TEMPORAL_ADDRESS: string; TEMPORAL_PG_ADDRESS: string }) =>
  mode.server === 'pg' ? servers.TEMPORAL_PG_ADDRESS : servers.TEMPORAL_ADDRESS;

/** The coordinator's settings for a mode (its own task queue, so its workflows can be counted apart). */
export const modeEnv = (mode: Mode, run: string, servers: { TEMPORAL_ADDRESS: string; TEMPORAL_PG_ADDRESS: string }): Record<string, string> => ({
  TRANSPORT: mode.transport,
  ...(mode.coordinator === 'temporal'
    ? { TEMPORAL_ACTIVITIES: mode.activities ?? 'regular', TEMPORAL_TASK_QUEUE: `${run}-${mode.name}`, TEMPORAL_ADDRESS: temporalAddress(mode, servers) }
    : {}),
});

/**
 * Interleaved repetitions: every mode once per repetition (A B C, A B C, …), so machine noise
 * and drift fall on all modes alike.
 */
export const interleave = <M>(modes: M[], repeats: number) => Array.from({ length: repeats }, (_, i) => modes.map((mode) => ({ rep: i + 1, mode }))).flat();
