import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { mergeOpenApi, readServiceDocs } from './merge.js';

/**
 * `GET /openapi.json` (the merged document) and `GET /docs` (Swagger UI rendering it, assets served
 * by the gateway itself, so the page works without reaching any other site).
 */
export async function openApiRoutes(app: FastifyInstance, dir: string, version: string): Promise<void> {
  const doc = mergeOpenApi(readServiceDocs(dir), { title: 'wattstream API', version });
  app.get('/openapi.json', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=60').send(doc),
  );
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    transformSpecification: () => doc,
    transformSpecificationClone: false,
    uiConfig: { deepLinking: true, docExpansion: 'list' },
  });
}
