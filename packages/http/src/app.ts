import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { unstorableText, type TextProblem } from '@saga/contracts';
import type { Logger } from './logger.ts';

/** An error with an HTTP status: thrown by routes, rendered as JSON by the app. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface AppOptions {
  name: string;
  logger: Logger;
  /** Mounts the service's own routes. */
  routes?: (router: Router) => void;
  /** Each check throws when its dependency is down; `/health` answers 503 then. */
  health?: Record<string, () => Promise<void>>;
  /** Largest JSON body accepted; larger gets 413. */
  bodyLimit?: string;
  registry?: Registry;
}

/**
 * The express app every service and coordinator serves: JSON bodies, request logs, `/health`,
 * `/metrics` (Prometheus), and errors as `{ error, details }` JSON with the right status.
 */
export const createApp = ({ name, logger, routes, health = {}, bodyLimit = '64kb', registry }: AppOptions): Express => {
  const metrics = registry ?? new Registry();
  if (!registry) collectDefaultMetrics({ register: metrics, labels: { service: name } });

  const app = express();
  app.disable('x-powered-by');
  // pino-http logs every request at `info` (5xx included; errorHandler logs those at `error` anyway).
  // Below that level it would still build a child logger and a finish listener per request — 1–2 %
  // of each service's CPU in the profile at LOG_LEVEL=warn — to print nothing, so it is not mounted.
  if (logger.isLevelEnabled('info')) {
    app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' } }));
  }
  app.use(express.json({ limit: bodyLimit, strict: false }));
  app.use((req, _res, next) => {
    const problems = [...pathProblems(req.path), ...unstorableText(req.query, 'query'), ...unstorableText(req.body)];
    next(problems.length > 0 ? new HttpError(400, 'invalid input: text that cannot be stored', problems) : undefined);
  });

  const router = express.Router();
  router.get('/health', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(health).map(async ([check, fn]) => {
        try {
          await fn();
          return [check, 'ok'] as const;
        } catch (err) {
          return [check, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    );
    const ok = results.every(([, r]) => r === 'ok');
    res
      .status(ok ? 200 : 503)
      .json({ service: name, status: ok ? 'ok' : 'degraded', checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  routes?.(router);
  app.use(router);

  // A known path asked with a method it does not serve: 405 with the methods it does.
  app.use((req, res, next) => {
    const allowed = allowedMethods(router, req.path);
    if (allowed.length === 0) return next(new HttpError(404, `no route for ${req.method} ${req.path}`));
    res.set('Allow', allowed.join(', '));
    next(new HttpError(405, `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}`));
  });
  app.use(errorHandler(logger));
  return app;
};

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

/** The methods the router's routes serve at `path` (upper case, in registration order). */
const allowedMethods = (router: Router, path: string): string[] => {
  const methods = (router.stack as unknown as RouteLayer[])
    .filter((layer) => layer.route && layer.match(path))
    .flatMap((layer) => Object.keys(layer.route!.methods).filter((m) => m !== '_all'))
    .map((m) => m.toUpperCase());
  return [...new Set(methods)];
};

/** The decoded path as routes will see it (their parameters) must be storable text too. */
const pathProblems = (path: string): TextProblem[] => {
  try {
    return unstorableText(decodeURIComponent(path), 'path');
  } catch {
    return [{ path: 'path', message: 'not valid percent-encoded UTF-8' }];
  }
};

const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err: unknown, _req, res, _next) => {
    const e = err as { status?: number; type?: string; message?: string; details?: unknown };
    if (err instanceof HttpError) {
      res
        .status(err.status)
        .json({ error: err.message, ...(err.details === undefined ? {} : { details: err.details }) });
      return;
    }
    // body-parser's own errors: malformed JSON, too large, wrong charset.
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const message =
        e.type === 'entity.parse.failed'
          ? `invalid JSON body: ${e.message}`
          : e.type === 'entity.too.large'
            ? `body larger than the limit`
            : (e.message ?? 'bad request');
      res.status(e.status).json({ error: message });
      return;
    }
    logger.error({ err }, 'unhandled error');
    res.status(500).json({ error: 'internal error' });
  };
