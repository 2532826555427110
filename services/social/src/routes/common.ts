import { Type } from '@sinclair/typebox';
import type { OutboxEvent, PoolClient, ServiceContext } from '@wattstream/kernel';
import type { SocialConfig } from '../config.js';

export type Ctx = ServiceContext<SocialConfig>;
export type Auth = ReturnType<Ctx['auth']['required']>;
export const security = [{ bearer: [] }];

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

/** Runs a change and the events it produced in one transaction (the outbox). */
export async function commit<T>(ctx: Ctx, fn: (tx: PoolClient) => Promise<{ result: T; events: OutboxEvent[] }>) {
  return ctx.tx(async (tx) => {
    const { result, events } = await fn(tx);
    await ctx.outbox.enqueue(tx, ...events);
    return result;
  });
}
