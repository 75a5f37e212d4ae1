import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  SAGA_STATUSES,
  UNFINISHED_STATUSES,
  type ListSagasQuery,
  type SagaPage,
  type SagaStatus,
  type SagaSummary,
  type SagaTimeline,
} from '@saga/contracts';
import type { Source } from './shapes.ts';

/** A benchmark mode's sagas kept at the end of a run (benchmarks `harness/archive.ts` writes it). */
export interface SagaArchive {
  mode: string;
  coordinator: string;
  archivedAt: string;
  sagas: SagaSummary[];
  timelines: Record<string, SagaTimeline>;
}

const NAME = /^[\w.-]+$/;
/** The source name of `mode`'s kept sagas in `run`. */
export const archivedName = (run: string, mode: string) => `run:${run}:${mode}`;
/** The run and mode of an archived source's name; undefined for another name. */
export const parseArchivedName = (name: string) => {
  const m = /^run:([^:]+):([^:]+)$/.exec(name);
  return m && NAME.test(m[1]!) && NAME.test(m[2]!) ? { run: m[1]!, mode: m[2]! } : undefined;
};

const archiveFile = (results: string, run: string, mode: string) => join(results, run, 'sagas', `${mode}.json`);

/** The modes whose sagas `run` kept, as explorer sources (read-only). */
export const archivedSources = (results: string, run: string): Source[] => {
  const dir = join(results, run, 'sagas');
  if (!NAME.test(run) || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const a = JSON.parse(readFileSync(join(dir, f), 'utf8')) as SagaArchive;
      return {
        name: archivedName(run, a.mode),
        what: `${a.mode}: the sagas of benchmark run ${run}, as ${a.coordinator}'s operator API showed them at ${a.archivedAt} (read-only)`,
        url: `/runs/${run}/sagas/${f}`,
        filtersByStep: true,
        archived: { run, mode: a.mode, at: a.archivedAt },
      };
    });
};

/** The modes whose sagas `run` kept. */
export const archivedModes = (results: string, run: string) => {
  const dir = join(results, run, 'sagas');
  return existsSync(dir) ? readdirSync(dir).flatMap((f) => (f.endsWith('.json') ? [f.slice(0, -5)] : [])) : [];
};

/**
 * The run that kept its sagas last, if any: by the time its `sagas/` folder was written (the
 * sources list asks every few seconds, so no run's results.json is read for it).
 */
export const newestArchivedRun = (results: string) =>
  existsSync(results)
    ? readdirSync(results, { withFileTypes: true })
        .flatMap((d) => {
          const dir = join(results, d.name, 'sagas');
          return d.isDirectory() && NAME.test(d.name) && existsSync(dir)
            ? [{ id: d.name, at: statSync(dir).mtimeMs }]
            : [];
        })
        .sort((a, b) => b.at - a.at)[0]?.id
    : undefined;

/** A kept mode's sagas; undefined when the run or mode kept none. */
export const loadArchive = (results: string, run: string, mode: string): SagaArchive | undefined => {
  const file = archiveFile(results, run, mode);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SagaArchive) : undefined;
};

const time = (iso: string | null) => (iso ? Date.parse(iso) : 0);
const ORDER: Record<ListSagasQuery['sort'], (a: SagaSummary, b: SagaSummary) => number> = {
  oldest: (a, b) => time(a.createdAt) - time(b.createdAt) || a.id.localeCompare(b.id),
  newest: (a, b) => time(b.createdAt) - time(a.createdAt) || b.id.localeCompare(a.id),
  stuck: (a, b) => time(a.updatedAt ?? a.createdAt) - time(b.updatedAt ?? b.createdAt) || a.id.localeCompare(b.id),
};

/** A page of kept sagas under a list query, with the same meaning as the operator API's (`pageOfSagas`). */
export const pageOfKept = (all: SagaSummary[], q: ListSagasQuery): SagaPage => {
  const { page, pageSize, sort, status, step, id, customerId, createdBefore } = q;
  const matching = all.filter(
    (s) =>
      (step === undefined || s.currentStep === step) &&
      (id === undefined || s.id === id) &&
      (customerId === undefined || s.customerId === customerId) &&
      (createdBefore === undefined || time(s.createdAt) < time(createdBefore)),
  );
  const counts = Object.fromEntries(SAGA_STATUSES.map((s) => [s, 0])) as Record<SagaStatus, number>;
  for (const s of matching) counts[s.status]++;
  const statuses: readonly SagaStatus[] | undefined = status
    ? [status]
    : sort === 'stuck'
      ? UNFINISHED_STATUSES
      : undefined;
  const listed = (statuses ? matching.filter((s) => statuses.includes(s.status)) : matching).sort(ORDER[sort]);
  return { items: listed.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: listed.length, counts };
};
