import { type Identity, KernelErrorCode, kernelError, notFound } from '@wattstream/kernel';
import { GatewayErrorCode, gatewayError } from './errors.js';
import type { CoachLinks } from './projections/coach-links.js';
import type { CompiledRoute } from './route-table/compile.js';

/**
 * What the gateway can decide from the route table before a service sees the request: RBAC (the
 * route's roles, 403) and, on routes whose path names an athlete, ABAC on that athlete (the caller
 * is the athlete, or coaches them per `user.coach.link.updated`): anyone else gets the same 404 an
 * unknown id gets, so ids cannot be probed. The service checks the object itself as well.
 */
export function authorize(
  route: CompiledRoute,
  params: Record<string, string>,
  who: Identity,
  coaches: CoachLinks,
): void {
  const roles = route.spec.roles;
  if (roles && !roles.some((r) => who.roles.includes(r))) {
    throw kernelError(KernelErrorCode.AuthForbidden, `this endpoint is for ${roles.join(' or ')} accounts`, {
      statusCode: 403,
    });
  }
  const owner = route.spec.owner;
  if (!owner) return;
  let athleteId: string;
  try {
    athleteId = decodeURIComponent(params[owner.param] ?? '');
  } catch {
    throw gatewayError(GatewayErrorCode.PathInvalid, 'the path is not valid percent-encoding', { statusCode: 400 });
  }
  const self = owner.allow.includes('self') && athleteId === who.userId;
  const coach = owner.allow.includes('coach') && who.roles.includes('coach') && coaches.coaches(who.userId, athleteId);
  if (!self && !coach) throw notFound('athlete');
}

/** Path segments of a request, refusing shapes that mean different things to different servers. */
export function pathSegments(url: string): string[] {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const segments = path.split('/').slice(1);
  const bad =
    path.includes('\\') ||
    path.includes('\0') ||
    /%(2f|5c|00)/i.test(path) ||
    segments.some((s, i) => (s === '' && i < segments.length - 1) || /^(\.|%2e){1,2}$/i.test(s));
  if (bad) {
    throw gatewayError(
      GatewayErrorCode.PathInvalid,
      'the path has an empty, "." or ".." segment, an encoded slash or a backslash; send the canonical path',
      { statusCode: 400 },
    );
  }
  return segments.at(-1) === '' ? segments.slice(0, -1) : segments;
}
