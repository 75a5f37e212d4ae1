/** What the explorer's server answers and its page reads (no imports: the page's bundle takes it as it is). */

/** One coordinator's operator API as the explorer reaches it. */
export interface Source {
  name: string;
  what: string;
  /** Its operator API (`/sagas`, `/health`). */
  url: string;
  /** Its engine's own web UI: the base, and one saga's page (`{id}` replaced). */
  ui?: { base: string; saga: string };
  /** Whether its list can filter by the current step (Temporal's visibility cannot). */
  filtersByStep: boolean;
  /** A benchmark run's kept sagas of one mode (read-only), not a running coordinator. */
  archived?: { run: string; mode: string; at: string };
}

/** A benchmark run under benchmarks/results/ and its report page, if it has one. */
export interface Run {
  id: string;
  generatedAt: string | null;
  suites: string[];
  modes: string[];
  report: string | null;
  /** The modes whose sagas the run kept (`--archive-sagas`; the smoke does), for the explorer's list. */
  keptSagas: string[];
}
