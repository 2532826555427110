import { Type } from '@sinclair/typebox';
import { AchievementList, Gear, GearInput, GearList, GearPatch, Uuid } from '@wattstream/contracts';
import { identityOf, type OutboxEvent, type PoolClient, type ServiceContext } from '@wattstream/kernel';
import { addGear, gearOf, gearOfOwner, lockGear, markServiced, patchGear, removeGear } from '../store/gear.js';
import { achievementsOf } from '../store/usage.js';

const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
const IdParam = Type.Object({ id: Uuid('gear') });

/** The caller's gear and achievements. Someone else's gear is the 404 of an unknown id. */
export function gearRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  const commit = <T>(fn: (tx: PoolClient) => Promise<{ gear: T; events: OutboxEvent[] }>) =>
    ctx.tx(async (tx) => {
      const r = await fn(tx);
      await ctx.outbox.enqueue(tx, ...r.events);
      return r.gear;
    });
  const tags = ['gear'];

  ctx.http.post(
    '/v1/gear',
    { preHandler: auth, schema: { tags, security, body: GearInput, response: { 201: Gear } } },
    async (req, reply) => reply.status(201).send(await commit((tx) => addGear(tx, identityOf(req).userId, req.body))),
  );
  ctx.http.get(
    '/v1/gear',
    { preHandler: auth, schema: { tags, security, response: { 200: GearList } } },
    async (req) => ({ items: await gearOfOwner(ctx.db, identityOf(req).userId) }),
  );
  ctx.http.get(
    '/v1/gear/:id',
    { preHandler: auth, schema: { tags, security, params: IdParam, response: { 200: Gear } } },
    async (req) => ctx.tx(async (tx) => gearOf(await lockGear(tx, req.params.id, identityOf(req).userId))),
  );
  ctx.http.patch(
    '/v1/gear/:id',
    { preHandler: auth, schema: { tags, security, params: IdParam, body: GearPatch, response: { 200: Gear } } },
    async (req) => commit((tx) => patchGear(tx, identityOf(req).userId, req.params.id, req.body)),
  );
  ctx.http.post(
    '/v1/gear/:id/serviced',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'record a service: the distance since service (and its reminders) start again',
        params: IdParam,
        response: { 200: Gear },
      },
    },
    async (req) => commit((tx) => markServiced(tx, identityOf(req).userId, req.params.id)),
  );
  ctx.http.delete(
    '/v1/gear/:id',
    { preHandler: auth, schema: { tags, security, params: IdParam } },
    async (req, reply) => {
      await commit(async (tx) => ({
        gear: undefined,
        events: await removeGear(tx, identityOf(req).userId, req.params.id),
      }));
      return reply.status(204).send();
    },
  );
  ctx.http.get(
    '/v1/achievements',
    { preHandler: auth, schema: { tags: ['achievements'], security, response: { 200: AchievementList } } },
    async (req) => ({ items: await achievementsOf(ctx.db, identityOf(req).userId) }),
  );
}
