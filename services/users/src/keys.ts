import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from '@wattstream/kernel';
import { type Logger, WattstreamError } from '@wattstream/platform';
import { exportJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { UsersErrorCode } from './errors.js';

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_enc: Buffer;
  created_at: Date;
  retired_at: Date | null;
  revoked_at: Date | null;
}

interface SigningKey {
  kid: string;
  publicJwk: JWK;
  privateKey: KeyObject;
  createdAt: Date;
  retiredAt: Date | null;
}

const ALG = 'EdDSA';
/** Two replicas starting on an empty table must not create two first keys. */
const CREATE_KEY_LOCK = 0x0_5553_4b59; // "USKY"
const RELOAD_MS = 30_000;

/**
 * The 32-byte key that encrypts signing keys at rest: USERS_KEY_SECRET, or (development) a secret
 * generated once under DATA_DIR/keys. Two processes starting at once agree on one file.
 */
export function loadKeySecret(configured: string | undefined, dataDir: string, logger: Logger): Buffer {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) {
      throw new WattstreamError(
        UsersErrorCode.KeySecretInvalid,
        `USERS_KEY_SECRET must be base64 of exactly 32 bytes (got ${key.length}); make one with: openssl rand -base64 32`,
      );
    }
    return key;
  }
  const file = join(dataDir, 'keys', 'users-key-secret');
  if (!existsSync(file)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  logger.warn({ file }, 'USERS_KEY_SECRET not set: using a development secret under DATA_DIR; set one in production');
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

function encrypt(secret: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function decrypt(secret: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', secret, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

/**
 * The users service's token signing keys (Ed25519), kept in its database so every replica signs
 * with the same key and publishes the same JWKS. The newest key signs; a replaced key stays in the
 * JWKS for `retentionMs` (tokens and edge credentials it signed stay valid); a revoked one leaves
 * at once. Every replica reloads the ring every 30 s, so a rotation elsewhere reaches it.
 */
export class KeyRing {
  private keys: SigningKey[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly secret: Buffer,
    private readonly retentionMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    if (!this.activeKey()) await this.createFirst();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.logger.warn({ err }, 'signing keys not reloaded'));
    }, RELOAD_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT kid, public_jwk, private_enc, created_at, retired_at, revoked_at FROM signing_keys
       WHERE revoked_at IS NULL AND (retired_at IS NULL OR retired_at > now() - $1::interval)
       ORDER BY created_at DESC`,
      [`${Math.round(this.retentionMs / 1000)} seconds`],
    );
    this.keys = rows.map((r) => ({
      kid: r.kid,
      publicJwk: r.public_jwk,
      privateKey: createPrivateKey({ key: this.open(r.kid, r.private_enc), format: 'der', type: 'pkcs8' }),
      createdAt: r.created_at,
      retiredAt: r.retired_at,
    }));
  }

  /** A stored private key, opened with the configured secret; a clear error when it is another one. */
  private open(kid: string, sealed: Buffer): Buffer {
    try {
      return decrypt(this.secret, sealed);
    } catch (err) {
      throw new WattstreamError(
        UsersErrorCode.KeySecretMismatch,
        `signing key ${kid} in this database was sealed with another USERS_KEY_SECRET (or another DATA_DIR's development secret): ` +
          'start with the secret the database was created with, or point DATABASE_URL at a database of its own',
        { cause: err },
      );
    }
  }

  private activeKey(): SigningKey | undefined {
    return this.keys.find((k) => k.retiredAt === null);
  }

  private async createFirst(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CREATE_KEY_LOCK]);
      const { rowCount } = await client.query(
        'SELECT 1 FROM signing_keys WHERE retired_at IS NULL AND revoked_at IS NULL',
      );
      if (rowCount === 0) await this.insertKey(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    await this.reload();
  }

  private async insertKey(client: Pick<Pool, 'query'>): Promise<string> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const kid = randomBytes(12).toString('base64url');
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    await client.query('INSERT INTO signing_keys (kid, public_jwk, private_enc) VALUES ($1, $2, $3)', [
      kid,
      jwk,
      encrypt(this.secret, privateKey.export({ format: 'der', type: 'pkcs8' })),
    ]);
    this.logger.info({ kid }, 'new token signing key');
    return kid;
  }

  /**
   * A new signing key; the previous one is retired (still in the JWKS for the retention) or, with
   * `revokePrevious` (it leaked), revoked: every token it signed is refused from now on.
   */
  async rotate({ revokePrevious = false } = {}): Promise<{ kid: string; previous: string[] }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CREATE_KEY_LOCK]);
      const prev = await client.query<{ kid: string }>(
        `UPDATE signing_keys SET retired_at = now() ${revokePrevious ? ', revoked_at = now()' : ''}
         WHERE retired_at IS NULL AND revoked_at IS NULL RETURNING kid`,
      );
      const kid = await this.insertKey(client);
      await client.query('COMMIT');
      await this.reload();
      return { kid, previous: prev.rows.map((r) => r.kid) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** The public keys that verify tokens: what `/.well-known/jwks.json` serves. */
  jwks(): JSONWebKeySet {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  get activeKid(): string {
    const k = this.activeKey();
    if (!k) throw new Error('no active signing key');
    return k.kid;
  }

  /** Signs a JWT with the active key (`kid` in the header, `alg` EdDSA). */
  async sign(o: {
    subject: string;
    audience: string;
    issuer: string;
    ttlMs: number;
    claims?: Record<string, unknown>;
    jti?: string;
  }): Promise<{ token: string; expiresAt: Date }> {
    const key = this.activeKey();
    if (!key) throw new Error('no active signing key');
    const now = Math.floor(Date.now() / 1000);
    const exp = now + Math.round(o.ttlMs / 1000);
    const jwt = new SignJWT({ ...o.claims })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(o.issuer)
      .setSubject(o.subject)
      .setAudience(o.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(o.jti ?? randomBytes(12).toString('base64url'));
    return { token: await jwt.sign(key.privateKey), expiresAt: new Date(exp * 1000) };
  }
}
