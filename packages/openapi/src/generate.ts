/**
 * The OpenAPI 3.1 documents of the four services and both coordinators, generated from the same
 * zod schemas that validate requests at run time (never written by hand):
 *   npm run openapi        writes docs/openapi/<name>.json
 * A unit test fails when a committed document differs from what the schemas generate; the
 * conformance test (schemathesis) holds the running servers to them.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { coordinatorDocs } from './coordinators.ts';
import { withStorableText, type DocSpec } from './parts.ts';
import { serviceDocs } from './services.ts';

const docs: Record<string, DocSpec> = { ...serviceDocs, ...coordinatorDocs };

export const generate = (name: string) => {
  const doc = docs[name]!;
  const r = new OpenAPIRegistry();
  r.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' });
  doc.routes(r);
  return withStorableText(
    new OpenApiGeneratorV31(r.definitions).generateDocument({
      openapi: '3.1.0',
      info: {
        title: doc.title,
        version: '0.1.0',
        description: `Generated from the zod schemas by \`npm run openapi\`. Default port ${doc.port}. A method a path does not list is answered 405 with Allow.`,
      },
      servers: [{ url: `http://127.0.0.1:${doc.port}` }],
    }),
  );
};

export const DOCUMENT_NAMES = Object.keys(docs);
export const documentPath = (name: string) =>
  fileURLToPath(new URL(`../../../docs/openapi/${name}.json`, import.meta.url));
export const render = (name: string) => `${JSON.stringify(generate(name), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const name of DOCUMENT_NAMES) {
    writeFileSync(documentPath(name), render(name));
    console.log(`wrote ${documentPath(name)}`);
  }
}
