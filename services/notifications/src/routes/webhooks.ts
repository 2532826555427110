import { Type } from '@sinclair/typebox';
import {
  Id,
  Uuid,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointCreated,
  WebhookEndpointList,
} from '@wattstream/contracts';
import { notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { webhookUrlProblem } from '../delivery/webhook.js';
import { NotificationsErrorCode } from '../errors.js';
import { createEndpoint, deleteEndpoint, enableEndpoint, endpointOf, endpointsOf } from '../store/endpoints.js';
import { authorize } from './access.js';

const tags = ['webhooks'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
const params = Type.Object({ userId: Id('user') });
const one = Type.Object({ userId: Id('user'), endpointId: Uuid('endpoint') });

/** A user's webhook endpoints: registered with a signing secret (shown once), listed, re-enabled, deleted. */
export function webhookRoutes(
  ctx: ServiceContext<unknown>,
  auth: Auth,
  o: { maxEndpoints: number; allowPrivate: boolean },
): void {
  ctx.http.post(
    '/v1/users/:userId/webhooks',
    {
      preHandler: auth,
      schema: { tags, security, params, body: WebhookEndpointCreate, response: { 201: WebhookEndpointCreated } },
    },
    async (req, reply) => {
      authorize(req, req.params.userId, 'write', 'user');
      const problem = webhookUrlProblem(req.body.url, o.allowPrivate);
      if (problem) {
        throw new WattstreamError(NotificationsErrorCode.WebhookUrlInvalid, `webhook URL refused: ${problem}`, {
          statusCode: 400,
          details: { fields: [{ field: 'body.url', message: problem }] },
        });
      }
      const row = await ctx.tx((tx) => createEndpoint(tx, { userId: req.params.userId, ...req.body }, o.maxEndpoints));
      return reply
        .status(201)
        .header('location', `/v1/users/${req.params.userId}/webhooks/${row.id}`)
        .send({ ...endpointOf(row), secret: row.secret });
    },
  );

  ctx.http.get(
    '/v1/users/:userId/webhooks',
    { preHandler: auth, schema: { tags, security, params, response: { 200: WebhookEndpointList } } },
    async (req) => {
      authorize(req, req.params.userId, 'read', 'user');
      return { items: (await endpointsOf(ctx.db, req.params.userId)).map(endpointOf) };
    },
  );

  ctx.http.post(
    '/v1/users/:userId/webhooks/:endpointId/enable',
    { preHandler: auth, schema: { tags, security, params: one, response: { 200: WebhookEndpoint } } },
    async (req) => {
      authorize(req, req.params.userId, 'write', 'webhook endpoint');
      const row = await enableEndpoint(ctx.db, req.params.userId, req.params.endpointId);
      if (!row) throw notFound('webhook endpoint');
      return endpointOf(row);
    },
  );

  ctx.http.delete(
    '/v1/users/:userId/webhooks/:endpointId',
    { preHandler: auth, schema: { tags, security, params: one } },
    async (req, reply) => {
      authorize(req, req.params.userId, 'write', 'webhook endpoint');
      if (!(await deleteEndpoint(ctx.db, req.params.userId, req.params.endpointId))) throw notFound('webhook endpoint');
      return reply.status(204).send();
    },
  );
}
