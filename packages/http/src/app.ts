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
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' } }));
  app.use(express.json({ limit: bodyLimit, strict: false }));
  app.use((req, _res, next) => {
    const problems = [...pathProblems(req.path), ...unstorableText(req.query, 'query'), ...unstorableText(req.body)];
    next(problems.length > 0 ? new HttpError(400, 'invalid input: text that cannot be stored', problems) : undefined);
  });

  app.get('/health', async (_req, res) => {
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
    res.status(ok ? 200 : 503).json({ service: name, status: ok ? 'ok' : 'degraded', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  const router = express.Router();
  routes?.(router);
  app.use(router);

  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
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
      res.status(err.status).json({ error: err.message, ...(err.details === undefined ? {} : { details: err.details }) });
      return;
    }
    // body-parser's own errors: malformed JSON, too large, wrong charset.
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const message =
        e.type === 'entity.parse.failed' ? `invalid JSON body: ${e.message}`
        : e.type === 'entity.too.large' ? `body larger than the limit`
        : (e.message ?? 'bad request');
      res.status(e.status).json({ error: message });
      return;
    }
    logger.error({ err }, 'unhandled error');
    res.status(500).json({ error: 'internal error' });
  };
