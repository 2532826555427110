import { type Identity, identityOf, notFound } from '@wattstream/kernel';
import type { FastifyRequest } from 'fastify';

/**
 * Object-level authorization: a user reads and writes only their own notification data; an admin
 * may read anyone's (support), never write it. Anyone else gets the 404 an unknown user gets, so
 * the answer does not tell whether the user exists.
 */
export function authorize(req: FastifyRequest, userId: string, access: 'read' | 'write', what: string): Identity {
  const me = identityOf(req);
  if (me.userId === userId) return me;
  if (access === 'read' && me.roles.includes('admin')) return me;
  throw notFound(what);
}
