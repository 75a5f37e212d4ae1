/**
 * The modes compared in one run: each coordinator over each transport (Temporal also with local
 * activities over HTTP). Same services, same stack; only the coordinator process changes.
 */
export interface Mode {
  name: string;
  coordinator: 'custom' | 'temporal';
  transport: 'kafka' | 'http';
  activities?: 'regular' | 'local';
}

export const MODES: Mode[] = [
  { name: 'custom-kafka', coordinator: 'custom', transport: 'kafka' },
  { name: 'custom-http', coordinator: 'custom', transport: 'http' },
  { name: 'temporal-kafka', coordinator: 'temporal', transport: 'kafka', activities: 'regular' },
  { name: 'temporal-http', coordinator: 'temporal', transport: 'http', activities: 'regular' },
  { name: 'temporal-http-local', coordinator: 'temporal', transport: 'http', activities: 'local' },
];

/** `--modes a,b` → those modes, in the given order; an unknown name is an error listing the valid ones. */
export const pickModes = (names: string[] | undefined): Mode[] => {
  if (!names || names.length === 0) return MODES;
  const unknown = names.filter((n) => !MODES.some((m) => m.name === n));
  if (unknown.length > 0) throw new Error(`unknown mode ${unknown.join(', ')}; valid: ${MODES.map((m) => m.name).join(', ')}`);
  return names.map((n) => MODES.find((m) => m.name === n)!);
};

/** The coordinator's settings for a mode (its own task queue, so its workflows can be counted apart). */
export const modeEnv = (mode: Mode, run: string): Record<string, string> => ({
  TRANSPORT: mode.transport,
  ...(mode.coordinator === 'temporal' ? { TEMPORAL_ACTIVITIES: mode.activities ?? 'regular', TEMPORAL_TASK_QUEUE: `${run}-${mode.name}` } : {}),
});

/**
 * Interleaved schedule: for each rate, every mode once (A B C, A B C, …), so machine noise
 * and drift fall on all modes alike.
 */
export const schedule = <R>(rates: R[], modes: Mode[]) => rates.flatMap((rate) => modes.map((mode) => ({ rate, mode })));
