import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, SagaPage, SagaTimeline, type SagaSummary } from '@saga/contracts';
import type { Mode } from './modes.ts';

/**
 * A mode's sagas as its coordinator's operator API showed them at the end of its last slice of a
 * run: every list row, and the timelines of up to `ARCHIVED_TIMELINES` of them (newest first).
 * Written to `benchmarks/results/<run>/sagas/<mode>.json` (`--archive-sagas`; the smoke run does),
 * so the Saga Explorer shows that run's sagas after its coordinators are gone.
 */
export interface SagaArchive {
  mode: string;
  coordinator: string;
  archivedAt: string;
  sagas: SagaSummary[];
  timelines: Record<string, SagaTimeline>;
}

export const ARCHIVED_TIMELINES = 500;

const getJson = async (url: string) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  const body: unknown = await res.json();
  return body;
};

/** Reads the running `mode`'s sagas from its operator API at `url` into `<dir>/sagas/<mode>.json`; returns how many. */
export const archiveSagas = async (dir: string, mode: Mode, url: string): Promise<number> => {
  const file = join(dir, 'sagas', `${mode.name}.json`);
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SagaArchive) : undefined;
  const sagas: SagaSummary[] = [];
  for (let page = 1; ; page++) {
    const p = SagaPage.parse(await getJson(`${url}/sagas?sort=newest&pageSize=200&page=${page}`));
    sagas.push(...p.items);
    if (p.items.length < 200 || sagas.length >= p.total) break;
  }
  const timelines: Record<string, SagaTimeline> = {};
  for (const s of sagas.slice(0, ARCHIVED_TIMELINES)) {
    // A finished saga's timeline does not change: kept from the last slice.
    const kept = before?.timelines[s.id];
    timelines[s.id] =
      kept && isTerminal(kept.status)
        ? kept
        : SagaTimeline.parse(await getJson(`${url}/sagas/${encodeURIComponent(s.id)}`));
  }
  // Where the list does not index the step and reason (Temporal's visibility), the timeline has them.
  for (const s of sagas) {
    const t = timelines[s.id];
    if (t)
      Object.assign(s, {
        status: t.status,
        currentStep: t.currentStep,
        reason: t.reason,
        updatedAt: s.updatedAt ?? t.updatedAt,
      });
  }
  mkdirSync(join(dir, 'sagas'), { recursive: true });
  const archive: SagaArchive = {
    mode: mode.name,
    coordinator: mode.coordinator,
    archivedAt: new Date().toISOString(),
    sagas,
    timelines,
  };
  writeFileSync(file, `${JSON.stringify(archive)}\n`);
  return sagas.length;
};
