import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

/** Building blocks of every OpenAPI document (services and coordinators). */
export const ErrorBody = z.object({ error: z.string(), details: z.unknown().optional() });
export const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
/** A request body the route requires (an absent body is a 400). */
export const body = (schema: z.ZodType) => ({ required: true, ...json(schema) });
export const error = (description: string) => ({ description, ...json(ErrorBody) });
export const bearer = [{ adminToken: [] }];
export const unauthorized = { 401: error('admin token required: Authorization: Bearer <ADMIN_TOKEN>') };
export const Timestamp = z.iso.datetime();

const Health = z.object({
  service: z.string(),
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), z.string()),
});

/** Every route reads some input (path, query, body) and refuses what it cannot take with a 400. */
const INVALID = error(
  'invalid input: every problem listed in details (including text that cannot be stored: NUL, lone surrogates)',
);

type Route = Parameters<OpenAPIRegistry['registerPath']>[0];
const TOO_LARGE = error('body larger than the limit (64 kB)');

/** Registers a route, adding the 400 every route can answer (and the 413 of one with a body). */
export const route = (r: OpenAPIRegistry, def: Route) =>
  r.registerPath({
    ...def,
    responses: { 400: INVALID, ...(def.request?.body ? { 413: TOO_LARGE } : {}), ...def.responses },
  });

/**
 * Text the servers refuse at the edge (createApp, the Kafka consumer): no NUL, no lone surrogate.
 * The generator writes it into every free-text string and every open object's property names,
 * so the documents say exactly what is accepted.
 */
export const STORABLE_TEXT = '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';

/** Adds STORABLE_TEXT to every free-text string schema (not a format or enum) and open object, in place. */
export const withStorableText = <T>(node: T): T => {
  if (Array.isArray(node)) node.forEach(withStorableText);
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.type === 'string' && o.format === undefined && o.enum === undefined && o.const === undefined) {
      // A schema has one pattern: a string with its own (e.g. "not blank") gets this one beside it.
      if (o.pattern === undefined) o.pattern = STORABLE_TEXT;
      else if (o.pattern !== STORABLE_TEXT) o.allOf = [...((o.allOf as unknown[]) ?? []), { pattern: STORABLE_TEXT }];
    }
    if (o.type === 'object' && o.additionalProperties !== false && o.propertyNames === undefined)
      o.propertyNames = { pattern: STORABLE_TEXT };
    Object.values(o).forEach(withStorableText);
  }
  return node;
};

/** `/health` and `/metrics`, served by every process through createApp. */
export const commonRoutes = (r: OpenAPIRegistry) => {
  route(r, {
    method: 'get',
    path: '/health',
    summary: 'Liveness and dependencies',
    responses: { 200: { description: 'ok', ...json(Health) }, 503: { description: 'degraded', ...json(Health) } },
  });
  route(r, {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  });
};

/** One OpenAPI document: a process's title, default port and routes. */
export interface DocSpec {
  title: string;
  port: number;
  routes: (r: OpenAPIRegistry) => void;
}
