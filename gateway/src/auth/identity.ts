import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Identity, INTERNAL_IDENTITY } from '@wattstream/kernel';
import type { Logger } from '@wattstream/platform';
import { calculateJwkThumbprint, exportJWK, type JSONWebKeySet } from 'jose';
import { GatewayErrorCode, gatewayError } from '../errors.js';

/** The development key's file under DATA_DIR (made once, 0600), used when GATEWAY_IDENTITY_KEY is unset. */
export const devIdentityKeyFile = (dataDir: string) => join(dataDir, 'keys', 'gateway-identity.key.pem');

function readKey(configured: string | undefined, dataDir: string, logger: Logger): KeyObject {
  if (configured) {
    try {
      const pem = configured.includes('-----BEGIN') ? configured : readFileSync(configured, 'utf8');
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not Ed25519`);
      return key;
    } catch (err) {
      throw gatewayError(
        GatewayErrorCode.IdentityKeyInvalid,
        `GATEWAY_IDENTITY_KEY must be an Ed25519 PKCS#8 PEM or a path to one (openssl genpkey -algorithm ed25519): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const file = devIdentityKeyFile(dataDir);
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    try {
      writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      // another replica on this machine made it first: use theirs
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  logger.warn({ file }, 'GATEWAY_IDENTITY_KEY not set: signing identity headers with a development key under DATA_DIR');
  return createPrivateKey(readFileSync(file, 'utf8'));
}

/**
 * Signs the identity header services trust instead of the user's token: a short-lived EdDSA JWS
 * (`iss` wattstream:gateway, `aud` wattstream:internal) with the caller's `sub` and `roles`, the
 * token's `jti` and `sid`, and the request id. Every replica must sign with the same key, because
 * services verify against the one JWKS this publishes (`kid` = the key's RFC 7638 thumbprint).
 */
export class IdentitySigner {
  private constructor(
    private readonly key: KeyObject,
    readonly kid: string,
    private readonly set: JSONWebKeySet,
    private readonly ttlS: number,
  ) {
    this.header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ: INTERNAL_IDENTITY.type })).toString('base64url');
  }

  private readonly header: string;

  static async load(o: { configured: string | undefined; dataDir: string; ttlMs: number; logger: Logger }) {
    const key = readKey(o.configured, o.dataDir, o.logger);
    const jwk = await exportJWK(createPublicKey(key));
    const kid = await calculateJwkThumbprint(jwk);
    return new IdentitySigner(
      key,
      kid,
      { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] },
      Math.round(o.ttlMs / 1000),
    );
  }

  /** What `/.well-known/gateway-jwks.json` serves. */
  jwks(): JSONWebKeySet {
    return this.set;
  }

  /**
   * The compact JWS (RFC 7515 §7.1) for one request. Signed with node:crypto directly: an Ed25519
   * signature there costs ~50 µs, against ~220 µs through jose's WebCrypto path on Node 20, and
   * this runs once per proxied request. Services verify it with jose like any JWT.
   */
  sign(identity: Identity, requestId: string): string {
    const now = Math.floor(Date.now() / 1000);
    const c = identity.claims;
    const payload = {
      iss: INTERNAL_IDENTITY.issuer,
      aud: INTERNAL_IDENTITY.audience,
      sub: identity.userId,
      iat: now,
      exp: now + this.ttlS,
      roles: identity.roles,
      ...(typeof c.sid === 'string' ? { sid: c.sid } : {}),
      ...(typeof c.jti === 'string' ? { jti: c.jti } : {}),
      rid: requestId,
    };
    const input = `${this.header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${input}.${sign(null, Buffer.from(input), this.key).toString('base64url')}`;
  }
}
