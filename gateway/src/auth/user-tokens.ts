import { type Authenticator, type Identity, KernelErrorCode, kernelError } from '@wattstream/kernel';
import type { DeletedAccounts } from '../projections/deleted-accounts.js';

const CACHE_ENTRIES = 10_000;

/**
 * Verifies users' access tokens with the kernel's authenticator (EdDSA only, JWKS of the users
 * service cached and fetched again on an unknown `kid`, `iss`/`aud`/`exp`/`nbf` with 30 s skew),
 * remembers a verified token for a short while (bounded by its `exp`) so a busy client does not
 * cost a signature check per request, and refuses tokens of deleted accounts.
 */
export class UserTokens {
  private readonly cache = new Map<string, { identity: Identity; until: number }>();

  constructor(
    private readonly auth: Authenticator,
    private readonly deleted: DeletedAccounts,
    private readonly cacheTtlMs: number,
  ) {}

  async verify(token: string): Promise<Identity> {
    const now = Date.now();
    const hit = this.cache.get(token);
    let identity: Identity;
    if (hit && hit.until > now) {
      identity = hit.identity;
    } else {
      if (hit) this.cache.delete(token);
      identity = await this.auth.verify(token);
      const exp = typeof identity.claims.exp === 'number' ? identity.claims.exp * 1000 : now;
      const until = Math.min(now + this.cacheTtlMs, exp);
      if (until > now) {
        if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(token, { identity, until });
      }
    }
    if (this.deleted.has(identity.userId)) {
      throw kernelError(KernelErrorCode.AuthRequired, 'this account no longer exists', { statusCode: 401 });
    }
    return identity;
  }
}
