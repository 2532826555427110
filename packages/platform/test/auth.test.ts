import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authConfig,
  devKeyPaths,
  isWattstreamError,
  loadConfig,
  loadTokenKeys,
  signToken,
  TOKEN_AUDIENCE,
  verifyToken,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'auth-'));
const cfg = loadConfig(authConfig, {});

describe('platform tokens', () => {
  it('generates one development key pair under DATA_DIR and reuses it', async () => {
    const a = loadTokenKeys(cfg, dir);
    const b = loadTokenKeys(cfg, dir);
    expect(a.source).toBe('development');
    const token = await signToken(a, {
      subject: 'edge-1',
      audience: TOKEN_AUDIENCE.edge,
      ttlMs: 60_000,
      claims: { athletes: ['a1'] },
    });
    const claims = await verifyToken(b, token, TOKEN_AUDIENCE.edge);
    expect(claims).toMatchObject({ sub: 'edge-1', athletes: ['a1'], iss: 'wattstream', aud: 'wattstream:edge' });
    expect(devKeyPaths(dir).privateKey).toContain(join('keys', 'jwt-ed25519.key.pem'));
  });

  it('refuses a token for another audience, another key, or expired', async () => {
    const keys = loadTokenKeys(cfg, dir);
    const edge = await signToken(keys, { subject: 'e', audience: TOKEN_AUDIENCE.edge, ttlMs: 60_000 });
    const asUser = await verifyToken(keys, edge, TOKEN_AUDIENCE.user).catch((e: unknown) => e);
    expect(isWattstreamError(asUser, 'WS_AUTH_TOKEN_INVALID')).toBe(true);

    const other = loadTokenKeys(cfg, mkdtempSync(join(tmpdir(), 'auth-other-')));
    const foreign = await verifyToken(other, edge, TOKEN_AUDIENCE.edge).catch((e: unknown) => e);
    expect(isWattstreamError(foreign, 'WS_AUTH_TOKEN_INVALID')).toBe(true);

    const expired = await signToken(keys, { subject: 'e', audience: TOKEN_AUDIENCE.edge, ttlMs: -60_000 });
    const r = await verifyToken(keys, expired, TOKEN_AUDIENCE.edge).catch((e: unknown) => e);
    expect(isWattstreamError(r, 'WS_AUTH_TOKEN_EXPIRED')).toBe(true);
    expect(
      isWattstreamError(
        await verifyToken(keys, undefined, TOKEN_AUDIENCE.edge).catch((e: unknown) => e),
        'WS_AUTH_TOKEN_MISSING',
      ),
    ).toBe(true);
  });

  it('uses a configured PEM key and verifies with only the public key', async () => {
    const pair = generateKeyPairSync('ed25519');
    const priv = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pub = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signer = loadTokenKeys(loadConfig(authConfig, { JWT_PRIVATE_KEY: priv }), dir);
    const verifier = loadTokenKeys(loadConfig(authConfig, { JWT_PUBLIC_KEY: pub }), dir);
    expect(signer.source).toBe('configured');
    const t = await signToken(signer, { subject: 'u1', audience: TOKEN_AUDIENCE.user, ttlMs: 1000 });
    expect((await verifyToken(verifier, t, TOKEN_AUDIENCE.user)).sub).toBe('u1');
    const noKey = await signToken(verifier, { subject: 'u', audience: TOKEN_AUDIENCE.user, ttlMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(isWattstreamError(noKey, 'WS_AUTH_NO_SIGNING_KEY')).toBe(true);
  });

  it('names the variable when the configured key is garbage', () => {
    let err: unknown;
    try {
      loadTokenKeys(
        loadConfig(authConfig, { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }),
        dir,
      );
    } catch (e) {
      err = e;
    }
    expect(isWattstreamError(err, 'WS_AUTH_KEY_INVALID')).toBe(true);
    expect((err as Error).message).toContain('JWT_PRIVATE_KEY');
  });
});
