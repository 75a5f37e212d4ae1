import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentPath, DOCUMENT_NAMES, generate, render } from './generate.ts';

describe('OpenAPI documents', () => {
  it.each(DOCUMENT_NAMES)(
    'docs/openapi/%s.json is what the schemas generate (run `npm run openapi` after a schema change)',
    (name) => {
      expect(readFileSync(documentPath(name), 'utf8')).toBe(render(name));
    },
  );

  it('describes POST /orders from the validation schema, including its limits', () => {
    const doc = generate('order') as {
      paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: unknown }> } } }>;
    };
    const schema = JSON.stringify(doc.paths['/orders']!.post!.requestBody!.content['application/json']!.schema);
    expect(schema).toContain('"customerId"');
    expect(schema).toContain('"unitPriceCents"');
    expect(schema).toContain('"maxItems":50');
  });

  it('has a command route for every command of the service', () => {
    const doc = generate('inventory') as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/commands/ReserveStock', '/commands/ReleaseStock', '/commands/CommitStock']),
    );
  });
});
