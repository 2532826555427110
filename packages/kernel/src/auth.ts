import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { KernelErrorCode, kernelError } from './errors.js';

/** Who is calling: the token's subject and roles. */
export interface Identity {
  userId: string;
  roles: string[];
  /** The verified claims, for services that need more (e.g. `sid`, `scope`). */
  claims: JWTPayload;
}

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
}

export interface AuthOptions {
  /** Where the users service publishes its public keys (`/.well-known/jwks.json`). */
  jwksUrl?: string;
  /** A key set in hand (the users service verifies against its own keys). */
  jwks?: () => JSONWebKeySet;
  issuer: string;
  audience: string;
  /**
   * Where the gateway publishes the keys of its identity header (`/.well-known/gateway-jwks.json`).
   * Unset: the header means nothing here and is ignored (only bearer tokens authenticate).
   */
  gatewayJwksUrl?: string | undefined;
}

/**
 * The identity the gateway forwards after verifying a user's token: a compact JWS (EdDSA, signed
 * with the gateway's own key) with `sub`, `roles`, the user token's `jti` and `sid`, and the
 * request id (`rid`). The gateway strips any copy a client sends.
 */
export const INTERNAL_IDENTITY_HEADER = 'x-wattstream-identity';
export const INTERNAL_IDENTITY = {
  issuer: 'wattstream:gateway',
  audience: 'wattstream:internal',
  /** `typ` of its JOSE header, so no other kind of token passes for one. */
  type: 'wattstream-identity+jwt',
} as const;

/** Allowed clock difference between services, seconds, for `exp` and `nbf`. */
const CLOCK_SKEW_S = 30;
/**
 * Only EdDSA: pinning the algorithm refuses `alg: none` and any HS/RS confusion (a token "signed"
 * with the public key as an HMAC secret) whatever the token header claims.
 */
const ALGORITHMS = ['EdDSA'];

/**
 * Bearer-token authentication for a service's routes: access tokens signed by the users service
 * (EdDSA JWTs) verified against its JWKS. The remote key set is cached and fetched again when a
 * token names an unknown `kid`, so a key rotation needs no restart.
 */
export class Authenticator {
  private readonly keys: JWTVerifyGetKey;
  private readonly gatewayKeys: JWTVerifyGetKey | undefined;

  constructor(private readonly o: AuthOptions) {
    if (o.jwks) {
      const source = o.jwks;
      this.keys = (header, token) => createLocalJWKSet(source())(header, token);
    } else if (o.jwksUrl) {
      this.keys = createRemoteJWKSet(new URL(o.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    } else {
      throw new Error('Authenticator needs jwksUrl or jwks');
    }
    this.gatewayKeys = o.gatewayJwksUrl
      ? createRemoteJWKSet(new URL(o.gatewayJwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : undefined;
  }

  async verify(token: string): Promise<Identity> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.o.issuer,
        audience: this.o.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_S,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return identityFrom(payload);
    } catch (err) {
      const expired = err instanceof joseErrors.JWTExpired;
      throw kernelError(
        KernelErrorCode.AuthRequired,
        expired
          ? 'access token expired: refresh it or log in again'
          : `access token rejected: ${(err as Error).message}`,
        { statusCode: 401, cause: err },
      );
    }
  }

  /** Verifies the gateway's identity header (only when `gatewayJwksUrl` is configured). */
  async verifyInternal(jws: string): Promise<Identity> {
    if (!this.gatewayKeys) throw new Error('verifyInternal needs gatewayJwksUrl');
    try {
      const { payload } = await jwtVerify(jws, this.gatewayKeys, {
        issuer: INTERNAL_IDENTITY.issuer,
        audience: INTERNAL_IDENTITY.audience,
        typ: INTERNAL_IDENTITY.type,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_S,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return identityFrom(payload);
    } catch (err) {
      throw kernelError(
        KernelErrorCode.AuthRequired,
        `the ${INTERNAL_IDENTITY_HEADER} header was rejected: ${(err as Error).message}`,
        { statusCode: 401, cause: err },
      );
    }
  }

  /**
   * Who the request is from: the gateway's identity header when this service trusts the gateway
   * and the header is present (an invalid one is a 401, never a fall-back to the bearer token),
   * else the bearer token (direct calls).
   */
  async authenticate(req: FastifyRequest): Promise<Identity> {
    const internal = req.headers[INTERNAL_IDENTITY_HEADER];
    if (this.gatewayKeys && internal !== undefined) {
      return this.verifyInternal(Array.isArray(internal) ? '' : internal);
    }
    return this.verify(Authenticator.bearer(req));
  }

  /** The bearer token of a request, or a 401. */
  static bearer(req: FastifyRequest): string {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(h.trim()) : null;
    if (!m?.[1]) {
      throw kernelError(
        KernelErrorCode.AuthRequired,
        'this endpoint needs an access token: Authorization: Bearer <token>',
        {
          statusCode: 401,
        },
      );
    }
    return m[1];
  }

  /**
   * A preHandler that authenticates the request and, with `roles`, requires one of them
   * (403 otherwise). The identity lands on `request.identity`.
   */
  required(opts: { roles?: readonly string[] } = {}) {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.header('cache-control', 'no-store');
      const identity = await this.authenticate(req);
      if (opts.roles && !opts.roles.some((r) => identity.roles.includes(r))) {
        throw kernelError(KernelErrorCode.AuthForbidden, `this endpoint is for ${opts.roles.join(' or ')} accounts`, {
          statusCode: 403,
        });
      }
      req.identity = identity;
    };
  }
}

function identityFrom(payload: JWTPayload): Identity {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { userId: payload.sub as string, roles, claims: payload };
}

/** The identity of an authenticated request (inside a route behind `auth.required()`). */
export function identityOf(req: FastifyRequest): Identity {
  if (!req.identity) {
    throw kernelError(KernelErrorCode.AuthRequired, 'not authenticated', { statusCode: 401 });
  }
  return req.identity;
}
