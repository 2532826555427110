import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Edge, EdgeCredential, EdgeRequest, SensorPairings } from '@wattstream/contracts';
import { identityOf, KernelErrorCode, type Queryable, type ServiceContext } from '@wattstream/kernel';
import { TOKEN_AUDIENCE, WattstreamError } from '@wattstream/platform';
import type { KeyRing } from '../keys.js';
import {
  edgeById,
  edgeEvent,
  edgesOf,
  insertEdge,
  ownEdgeForUpdate,
  replacePairings,
  revokeEdge,
  setCredential,
} from '../store/edges.js';

const tags = ['edges'];
const security = [{ bearer: [] }];
const EdgeParams = Type.Object({ edgeId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

export interface EdgeSettings {
  keys: KeyRing;
  issuer: string;
  credentialTtlMs: number;
}

/**
 * The edge's MQTT credential: a JWT for ingest (audience `wattstream:edge`, `sub` the edge id,
 * `athletes` whom it may publish for), signed with the users service's key so ingest verifies it
 * against the JWKS. Its `jti` becomes the edge's one valid credential.
 */
async function mintCredential(
  tx: Queryable,
  s: EdgeSettings,
  edgeId: string,
  ownerId: string,
): Promise<{ credential: EdgeCredential; jti: string }> {
  const jti = randomBytes(12).toString('base64url');
  const { token, expiresAt } = await s.keys.sign({
    subject: edgeId,
    audience: TOKEN_AUDIENCE.edge,
    issuer: s.issuer,
    ttlMs: s.credentialTtlMs,
    claims: { athletes: [ownerId] },
    jti,
  });
  await setCredential(tx, edgeId, jti, expiresAt);
  return { credential: { edgeId, username: edgeId, password: token, expiresAt: expiresAt.toISOString() }, jti };
}

/**
 * The device registry: an athlete's edges, the sensors paired to each, and the edge's MQTT
 * credential, so an athlete sets up an edge without shell access to the server. Every change emits
 * `user.edge.updated` (ingest refuses revoked edges and replaced credentials).
 */
export function edgeRoutes(ctx: ServiceContext<unknown>, auth: Auth, s: EdgeSettings): void {
  ctx.http.post(
    '/v1/me/edges',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        body: EdgeRequest,
        response: { 201: Type.Object({ edge: Edge, credential: EdgeCredential }) },
      },
    },
    async (req, reply) => {
      const owner = identityOf(req).userId;
      const result = await ctx.tx(async (tx) => {
        const row = await insertEdge(tx, owner, req.body.name);
        const { credential, jti } = await mintCredential(tx, s, row.id, owner);
        await ctx.outbox.enqueue(tx, edgeEvent({ id: row.id, owner_id: owner, revoked: false, credentialId: jti }));
        return { edge: await edgeById(tx, owner, row.id), credential };
      });
      return reply.status(201).header('cache-control', 'no-store').send(result);
    },
  );

  ctx.http.get(
    '/v1/me/edges',
    { preHandler: auth, schema: { tags, security, response: { 200: Type.Object({ items: Type.Array(Edge) }) } } },
    async (req) => ({ items: await edgesOf(ctx.db, identityOf(req).userId) }),
  );

  ctx.http.get(
    '/v1/me/edges/:edgeId',
    { preHandler: auth, schema: { tags, security, params: EdgeParams, response: { 200: Edge } } },
    async (req) => edgeById(ctx.db, identityOf(req).userId, req.params.edgeId),
  );

  ctx.http.put(
    '/v1/me/edges/:edgeId/sensors',
    { preHandler: auth, schema: { tags, security, params: EdgeParams, body: SensorPairings, response: { 200: Edge } } },
    async (req) => {
      const ids = req.body.sensors.map((x) => x.sensorId);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup !== undefined) {
        throw new WattstreamError(KernelErrorCode.HttpValidation, `sensor ${dup} is listed twice`, {
          statusCode: 400,
          details: { fields: [{ field: 'body.sensors', message: `duplicate sensorId ${dup}` }] },
        });
      }
      const owner = identityOf(req).userId;
      return ctx.tx(async (tx) => {
        const edge = await ownEdgeForUpdate(tx, owner, req.params.edgeId);
        await replacePairings(tx, edge.id, req.body);
        return edgeById(tx, owner, edge.id);
      });
    },
  );

  ctx.http.post(
    '/v1/me/edges/:edgeId/credential',
    { preHandler: auth, schema: { tags, security, params: EdgeParams, response: { 201: EdgeCredential } } },
    async (req, reply) => {
      const owner = identityOf(req).userId;
      const credential = await ctx.tx(async (tx) => {
        const edge = await ownEdgeForUpdate(tx, owner, req.params.edgeId);
        if (edge.revoked_at) {
          throw new WattstreamError(KernelErrorCode.HttpConflict, 'this edge is revoked; register a new one', {
            statusCode: 409,
          });
        }
        const { credential: c, jti } = await mintCredential(tx, s, edge.id, owner);
        await ctx.outbox.enqueue(tx, edgeEvent({ id: edge.id, owner_id: owner, revoked: false, credentialId: jti }));
        return c;
      });
      return reply.status(201).header('cache-control', 'no-store').send(credential);
    },
  );

  ctx.http.delete(
    '/v1/me/edges/:edgeId',
    { preHandler: auth, schema: { tags, security, params: EdgeParams } },
    async (req, reply) => {
      const owner = identityOf(req).userId;
      await ctx.tx(async (tx) => {
        const edge = await ownEdgeForUpdate(tx, owner, req.params.edgeId);
        if (edge.revoked_at) return;
        await revokeEdge(tx, edge.id);
        await ctx.outbox.enqueue(tx, edgeEvent({ id: edge.id, owner_id: owner, revoked: true, credentialId: null }));
      });
      return reply.status(204).send();
    },
  );
}
