import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ListSagasQuery, OPERATOR_ACTIONS } from '@saga/contracts';
import { createApp, HttpError, type Logger } from '@saga/http';
import { DRIVERS, type CoordinatorDriver } from '@saga/launcher';
import { parseOr400 } from '@saga/service';

import {
  archivedModes,
  archivedSources,
  loadArchive,
  newestArchivedRun,
  pageOfKept,
  parseArchivedName,
} from './archive.ts';
import type { Run, Source } from './shapes.ts';

const SourcesQuery = z
  .object({
    run: z
      .string()
      .regex(/^[\w.-]+$/)
      .optional(),
  })
  .strict();

export type { Run, Source } from './shapes.ts';
type Env = Record<string, string | undefined>;

/**
 * Every coordinator of the registry (launcher `DRIVERS`, the one seam) with its operator API's
 * address under `env` — its port setting or the driver's default, on loopback, or
 * `EXPLORER_<NAME>_URL` when it runs elsewhere.
 */
export const sourcesOf = (env: Env): Source[] =>
  (DRIVERS as readonly CoordinatorDriver[]).map((d) => {
    const url =
      env[`EXPLORER_${d.name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${env[d.port.setting] ?? d.port.default}`;
    const links = d.links?.(env);
    return {
      name: d.name,
      what: d.what,
      url: url.replace(/\/$/, ''),
      ...(links ? { ui: links } : {}),
      filtersByStep: d.listsByStep !== false,
    };
  });

/** The engine web UI of a benchmark mode's server (Temporal's dev server or temporal-pg-ui, Restate's), by the mode's driver. */
export const modeLinks =
  (env: Env) =>
  (modeName: string): Source['ui'] => {
    for (const d of DRIVERS as readonly CoordinatorDriver[]) {
      const mode = d.modes.find((m) => m.name === modeName);
      if (mode) return d.links?.(env, mode);
    }
    return undefined;
  };

export interface ExplorerOptions {
  logger: Logger;
  sources: Source[];
  /** Links of a run's kept mode to its engine's web UI (default: the stack's default addresses). */
  linksOf?: (mode: string) => Source['ui'];
  /** The built page (index.html, app.js, app.css). */
  assets: string;
  /** Where benchmark runs are (`<run>/results.json`, `<run>/index.html`). */
  results: string;
  /** How long one call to a coordinator may take. */
  timeoutMs?: number;
}

/** What a coordinator answered, passed on as it is (status and JSON body); unreachable is a 502 naming it. */
const relay = async (res: Response, source: Source, path: string, init: RequestInit, timeoutMs: number) => {
  let answer: globalThis.Response;
  try {
    answer = await fetch(`${source.url}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new HttpError(502, `${source.name} does not answer at ${source.url}: ${(err as Error).message}`);
  }
  const body = await answer.text();
  res
    .status(answer.status)
    .type(answer.headers.get('content-type') ?? 'application/json')
    .send(body);
};

/** The benchmark runs that have a report page, newest first. */
export const runsIn = (results: string): Run[] =>
  existsSync(results)
    ? readdirSync(results, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(results, d.name, 'results.json')))
        .map((d) => {
          const meta = JSON.parse(readFileSync(join(results, d.name, 'results.json'), 'utf8')) as {
            at?: string;
            settings?: { suites?: string[]; modes?: string[] };
          };
          return {
            id: d.name,
            generatedAt: meta.at ?? null,
            suites: meta.settings?.suites ?? [],
            modes: meta.settings?.modes ?? [],
            report: existsSync(join(results, d.name, 'index.html')) ? `/runs/${d.name}/index.html` : null,
            keptSagas: archivedModes(results, d.name),
          };
        })
        .sort((a, b) => (b.generatedAt ?? '').localeCompare(a.generatedAt ?? '') || b.id.localeCompare(a.id))
    : [];

/**
 * The Saga Explorer's server: the page, and `/api/*` over the coordinators' operator APIs only —
 * `GET /api/sources` (each coordinator and whether it answers), `GET /api/sources/:name/sagas`
 * (the list, its query passed on), `GET …/sagas/:id`, `POST …/sagas/:id/retry|compensate|resolve`
 * (the browser's `Authorization` passed on) — and the benchmark runs' report pages under `/runs/`.
 */
export const explorerApp = ({
  logger,
  sources,
  assets,
  results,
  timeoutMs = 10_000,
  linksOf = modeLinks({}),
}: ExplorerOptions) => {
  const sourceOf = (req: Request) => {
    const s = sources.find((x) => x.name === req.params.source);
    if (!s)
      throw new HttpError(
        404,
        `no coordinator "${String(req.params.source)}"; known: ${sources.map((x) => x.name).join(', ')} (or run:<run>:<mode>)`,
      );
    return s;
  };
  /** A run's kept sagas of one mode, when the source names one (`run:<run>:<mode>`). */
  const keptOf = (req: Request) => {
    const name = parseArchivedName(String(req.params.source));
    if (!name) return undefined;
    const kept = loadArchive(results, name.run, name.mode);
    if (!kept) throw new HttpError(404, `run ${name.run} kept no sagas of ${name.mode}`);
    return kept;
  };
  const routes = (router: Router) => {
    router.get('/api/sources', async (req, res) => {
      const { run } = parseOr400(SourcesQuery, req.query, 'query');
      const live = await Promise.all(
        sources.map(async (s) => ({
          ...s,
          up: await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
            (r) => r.ok,
            () => false,
          ),
        })),
      );
      const kept = run ?? newestArchivedRun(results);
      const archived = (kept ? archivedSources(results, kept) : []).map((s) => {
        const ui = linksOf(s.archived!.mode);
        return { ...s, up: true, ...(ui ? { ui } : {}) };
      });
      res.json([...live, ...archived]);
    });
    router.get('/api/sources/:source/sagas', async (req, res) => {
      const kept = keptOf(req);
      if (kept) return void res.json(pageOfKept(kept.sagas, parseOr400(ListSagasQuery, req.query, 'query')));
      const query = new URL(req.originalUrl, 'http://x').search;
      await relay(res, sourceOf(req), `/sagas${query}`, {}, timeoutMs);
    });
    router.get('/api/sources/:source/sagas/:id', async (req, res) => {
      const kept = keptOf(req);
      if (kept) {
        const t = kept.timelines[req.params.id];
        if (!t)
          throw new HttpError(
            404,
            `no saga ${req.params.id} kept in this run (its newest ${Object.keys(kept.timelines).length} timelines are)`,
          );
        return void res.json(t);
      }
      await relay(res, sourceOf(req), `/sagas/${encodeURIComponent(req.params.id)}`, {}, timeoutMs);
    });
    for (const action of OPERATOR_ACTIONS) {
      router.post(`/api/sources/:source/sagas/:id/${action}`, async (req, res) => {
        if (keptOf(req)) throw new HttpError(409, 'these are a finished benchmark run’s kept sagas: nothing to repair');
        const auth = req.get('authorization');
        await relay(
          res,
          sourceOf(req),
          `/sagas/${encodeURIComponent(req.params.id)}/${action}`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
            body: JSON.stringify(req.body ?? {}),
          },
          timeoutMs,
        );
      });
    }
    router.get('/api/runs', (_req, res) => {
      res.json(runsIn(results));
    });
    router.use('/runs', express.static(results, { index: ['index.html'], fallthrough: true }));
    router.use(express.static(assets, { index: ['index.html'] }));
  };
  return createApp({ name: 'explorer', logger, routes, bodyLimit: '8kb' });
};
