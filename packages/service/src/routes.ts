import type { Request, Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { withTransaction, type PoolClient } from '@saga/postgres';
import { Command, type CommandOf, type CommandType, type Reply } from '@saga/contracts';
import { HttpError } from '@saga/http';
import { FaultSettings, TransientFault, type Faults } from './faults.ts';
import { NotYet } from './not-yet.ts';
import type { Via } from './executor.ts';

/** Throws 401 unless the request carries `Authorization: Bearer <token>`. */
export const requireToken = (req: Request, token: string) => {
  const given = Buffer.from(req.get('authorization')?.replace(/^Bearer\s+/i, '') ?? '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new HttpError(401, 'admin token required: send Authorization: Bearer <ADMIN_TOKEN>');
  }
};

export const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));

/** `value` parsed by `schema`, or a 400 naming `what` and listing every problem. */
export const parseOr400 = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid ${what}`, issuesOf(parsed.error));
  return parsed.data;
};

/** Query of a paged list, optionally filtered by status (one definition, in contracts). */
export { pageQuery } from '@saga/contracts';

/** `POST <path>` for seeding test and benchmark data: admin token, validated body, one transaction, 204. */
export const adminSeedRoute = <T>(
  router: Router,
  path: string,
  ctx: { pool: import('@saga/postgres').Pool; adminToken: string },
  schema: z.ZodType<T>,
  apply: (tx: PoolClient, data: T) => Promise<void>,
) =>
  router.post(path, async (req, res) => {
    requireToken(req, ctx.adminToken);
    const data = parseOr400(schema, req.body, 'seed data');
    await withTransaction(ctx.pool, (tx) => apply(tx, data)).catch((err: { code?: string; constraint?: string }) => {
      // e.g. a credit limit below what the customer already holds: the data says no, not the server.
      if (err.code === '23514')
        throw new HttpError(409, `refused: it would break ${err.constraint ?? 'a rule of the stored data'}`);
      throw err;
    });
    res.status(204).end();
  });

/**
 * `POST /commands/<CommandType>`: the body is the command without `type` (it is in the path).
 * 200 with the reply; 400 with every problem when the command is malformed; 409 when it cannot be
 * decided yet (`NotYet`) and 503 for a transient failure — both retried with the same command id.
 */
export const commandRoutes =
  <T extends CommandType>(types: readonly T[], execute: (c: CommandOf<T>, via: Via) => Promise<Reply>) =>
  (router: Router) => {
    router.post('/commands/:type', async (req, res) => {
      const type = req.params.type as T;
      if (!types.includes(type)) {
        throw new HttpError(404, `this service handles no command ${req.params.type}; it handles ${types.join(', ')}`);
      }
      const body: unknown = req.body;
      const parsed = Command.safeParse({ ...(typeof body === 'object' && body !== null ? body : {}), type });
      if (!parsed.success) throw new HttpError(400, `invalid ${type} command`, issuesOf(parsed.error));
      try {
        res.json(await execute(parsed.data as CommandOf<T>, 'http'));
      } catch (err) {
        if (err instanceof TransientFault) {
          res.set('Retry-After', '0');
          throw new HttpError(503, err.message);
        }
        if (err instanceof NotYet) {
          res.set('Retry-After', '1');
          throw new HttpError(409, `not yet: ${err.message}; retry with the same messageId`);
        }
        throw err;
      }
    });
  };

/** `GET|POST /admin/faults`: read or switch fault injection; token required. */
export const adminRoutes = (faults: Faults, token: string) => (router: Router) => {
  router.get('/admin/faults', (req, res) => {
    requireToken(req, token);
    res.json({ ...faults.get(), refusedSoFar: faults.refused() });
  });
  router.post('/admin/faults', (req, res) => {
    requireToken(req, token);
    const parsed = FaultSettings.partial().safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'invalid fault settings', issuesOf(parsed.error));
    res.json(faults.set(parsed.data));
  });
};
