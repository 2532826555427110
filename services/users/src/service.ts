import { kafkaTopics } from '@wattstream/contracts';
import { Authenticator, defineService } from '@wattstream/kernel';
import { usersConfig, usersPort } from './config.js';
import { KeyRing, loadKeySecret } from './keys.js';
import { accountRoutes } from './routes/account.js';
import { authRoutes } from './routes/auth.js';
import { coachingRoutes } from './routes/coaching.js';
import { edgeRoutes } from './routes/edges.js';
import { keyRoutes } from './routes/keys.js';
import { profileRoutes } from './routes/profile.js';

/**
 * The users service: accounts and sign-in (Argon2id passwords, EdDSA access tokens with rotating
 * refresh tokens), the JWKS every other service verifies tokens with, athletes' training profiles,
 * coach ↔ athlete links, edges and their MQTT credentials, GDPR export and erasure.
 */
export const usersService = defineService({
  name: 'users',
  description: 'accounts, tokens and JWKS, athlete profiles, coach links, edges and their credentials',
  port: usersPort,
  config: usersConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  outbox: true,
  check: (c) =>
    c.keyRetention < c.edgeCredentialTtl ? ['USERS_KEY_RETENTION must be ≥ USERS_EDGE_CREDENTIAL_TTL'] : [],
  async start(ctx) {
    const c = ctx.config;
    ctx.produces(
      kafkaTopics.profileUpdated,
      kafkaTopics.accountDeleted,
      kafkaTopics.coachLinkUpdated,
      kafkaTopics.edgeUpdated,
      kafkaTopics.contactUpdated,
    );
    const keys = new KeyRing(ctx.db, loadKeySecret(c.keySecret, c.dataDir, ctx.logger), c.keyRetention, ctx.logger);
    await keys.start();
    ctx.onShutdown('close', 'signing keys', () => keys.stop());

    const auth = new Authenticator({
      jwks: () => keys.jwks(),
      issuer: c.authIssuer,
      audience: c.authAudience,
      gatewayJwksUrl: c.authGatewayJwksUrl,
    });
    const user = auth.required();
    const coach = auth.required({ roles: ['coach'] });
    const admin = auth.required({ roles: ['admin'] });
    const sessions = {
      keys,
      issuer: c.authIssuer,
      audience: c.authAudience,
      accessTtlMs: c.accessTtl,
      refreshTtlMs: c.refreshTtl,
    };

    authRoutes(ctx, sessions);
    accountRoutes(ctx, user);
    profileRoutes(ctx, user);
    coachingRoutes(ctx, user, coach);
    edgeRoutes(ctx, user, { keys, issuer: c.authIssuer, credentialTtlMs: c.edgeCredentialTtl });
    keyRoutes(ctx, keys, admin);
    return { keys, auth };
  },
});
