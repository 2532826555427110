import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import { oneOf, optionalStr, str } from './config.js';
import { WattstreamError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Platform-signed JWTs: edge tokens (MQTT password, minted by `ingest token`) and user tokens
 * (live WebSocket, minted by `stream token` until the users service exists). One key pair signs
 * both; the audience keeps them apart, so an edge token is never accepted as a user token.
 */
export const TOKEN_AUDIENCE = { edge: 'wattstream:edge', user: 'wattstream:user' } as const;
export type TokenAudience = (typeof TOKEN_AUDIENCE)[keyof typeof TOKEN_AUDIENCE];

export const AuthErrorCode = {
  TokenMissing: 'WS_AUTH_TOKEN_MISSING',
  TokenInvalid: 'WS_AUTH_TOKEN_INVALID',
  TokenExpired: 'WS_AUTH_TOKEN_EXPIRED',
  KeyInvalid: 'WS_AUTH_KEY_INVALID',
  NoSigningKey: 'WS_AUTH_NO_SIGNING_KEY',
} as const;

export const authConfig = {
  jwtPrivateKey: optionalStr(
    'JWT_PRIVATE_KEY',
    'PKCS#8 PEM, or a path to one, that signs tokens (default: a development key under DATA_DIR)',
  ),
  jwtPublicKey: optionalStr(
    'JWT_PUBLIC_KEY',
    'SPKI PEM, or a path to one, that verifies tokens (default: derived from the private key)',
  ),
  jwtAlg: oneOf('JWT_ALG', ['EdDSA', 'ES256', 'RS256'] as const, { default: 'EdDSA', description: 'JWS algorithm' }),
  jwtIssuer: str('JWT_ISSUER', { default: 'wattstream', description: 'iss of issued tokens, checked on verify' }),
};

export interface TokenKeys {
  readonly alg: 'EdDSA' | 'ES256' | 'RS256';
  readonly issuer: string;
  readonly privateKey: KeyObject | undefined;
  readonly publicKey: KeyObject;
  /** `development` when generated under DATA_DIR because no key was configured. */
  readonly source: 'configured' | 'development';
  /**
   * The users service's key set: tokens that name a `kid` (every token users signs) are verified
   * against it, always as EdDSA; tokens without one against `publicKey` (the development minting
   * commands). See `withJwks`.
   */
  readonly jwks?: JWTVerifyGetKey;
}

/**
 * The keys plus the users service's JWKS at `url`: cached, fetched again (at most every 30 s) when
 * a token names an unknown `kid`, so a key rotation at users needs no restart here.
 */
export function withJwks(keys: TokenKeys, url: string): TokenKeys {
  return { ...keys, jwks: createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) };
}

const pemOrFile = (value: string): string => (value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8'));

/** Where the development key pair lives. */
export function devKeyPaths(dataDir: string): { privateKey: string; publicKey: string } {
  return {
    privateKey: join(dataDir, 'keys', 'jwt-ed25519.key.pem'),
    publicKey: join(dataDir, 'keys', 'jwt-ed25519.pub.pem'),
  };
}

/**
 * Loads the configured key pair, or, when none is configured, the development Ed25519 pair under
 * `DATA_DIR/keys/` (generated on first use, with a warning). Two processes starting at once
 * agree on one key: the private key file is created exclusively and the loser reads it back.
 */
export function loadTokenKeys(
  cfg: {
    jwtPrivateKey: string | undefined;
    jwtPublicKey: string | undefined;
    jwtAlg: TokenKeys['alg'];
    jwtIssuer: string;
  },
  dataDir: string,
  logger?: Logger,
): TokenKeys {
  try {
    if (cfg.jwtPrivateKey || cfg.jwtPublicKey) {
      const privateKey = cfg.jwtPrivateKey ? createPrivateKey(pemOrFile(cfg.jwtPrivateKey)) : undefined;
      const publicKey = cfg.jwtPublicKey
        ? createPublicKey(pemOrFile(cfg.jwtPublicKey))
        : createPublicKey(privateKey as KeyObject);
      return { alg: cfg.jwtAlg, issuer: cfg.jwtIssuer, privateKey, publicKey, source: 'configured' };
    }
  } catch (err) {
    throw new WattstreamError(
      AuthErrorCode.KeyInvalid,
      `JWT_PRIVATE_KEY / JWT_PUBLIC_KEY is not a readable PEM key or key file: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const paths = devKeyPaths(dataDir);
  if (!existsSync(paths.privateKey)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ed25519');
    try {
      writeFileSync(paths.privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const privateKey = createPrivateKey(readFileSync(paths.privateKey, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  if (!existsSync(paths.publicKey)) writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }));
  logger?.warn(
    { keyFile: paths.privateKey },
    'no JWT_PRIVATE_KEY configured: using the development signing key under DATA_DIR; configure a real key in production',
  );
  return { alg: 'EdDSA', issuer: cfg.jwtIssuer, privateKey, publicKey, source: 'development' };
}

export interface SignOptions {
  subject: string;
  audience: TokenAudience;
  ttlMs: number;
  claims?: Record<string, unknown>;
}

export async function signToken(keys: TokenKeys, opts: SignOptions): Promise<string> {
  if (!keys.privateKey) {
    throw new WattstreamError(
      AuthErrorCode.NoSigningKey,
      'cannot mint tokens: only JWT_PUBLIC_KEY is configured; set JWT_PRIVATE_KEY',
    );
  }
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...opts.claims })
    .setProtectedHeader({ alg: keys.alg, typ: 'JWT' })
    .setIssuer(keys.issuer)
    .setSubject(opts.subject)
    .setAudience(opts.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.round(opts.ttlMs / 1000))
    .sign(keys.privateKey);
}

/** Verifies signature, issuer, audience and expiry; throws WS_AUTH_TOKEN_EXPIRED or _INVALID. */
export async function verifyToken(
  keys: TokenKeys,
  token: string | undefined,
  audience: TokenAudience,
): Promise<JWTPayload & { sub: string; exp: number }> {
  if (!token)
    throw new WattstreamError(AuthErrorCode.TokenMissing, 'no token: pass the platform-issued JWT', {
      statusCode: 401,
    });
  try {
    const kid = decodeProtectedHeader(token).kid;
    const viaJwks = kid !== undefined && keys.jwks !== undefined;
    const options = {
      issuer: keys.issuer,
      audience,
      algorithms: viaJwks ? ['EdDSA'] : [keys.alg],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: 5,
    };
    const { payload } = viaJwks
      ? await jwtVerify(token, keys.jwks as JWTVerifyGetKey, options)
      : await jwtVerify(token, keys.publicKey, options);

    return payload as JWTPayload & { sub: string; exp: number };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      throw new WattstreamError(AuthErrorCode.TokenExpired, 'token expired: mint a new one', {
        statusCode: 401,
        cause: err,
      });
    }
    throw new WattstreamError(AuthErrorCode.TokenInvalid, `token rejected: ${(err as Error).message}`, {
      statusCode: 401,
      cause: err,
    });
  }
}
