import { LoginRequest, Me, RefreshRequest, RegisterRequest, type Role, TokenResponse } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';
import { hashPassword, verifyAgainstNothing, verifyPassword } from '../passwords.js';
import { issueSession, type SessionSettings } from '../sessions.js';
import { insertDefaultProfile, profileEvent } from '../store/profiles.js';
import { refreshInvalid, revokeByToken, revokeFamily, useRefreshToken } from '../store/refresh-tokens.js';
import { contactEvent, insertUser, meOf, newUserId, userByEmail, userById } from '../store/users.js';

const invalidCredentials = () =>
  new WattstreamError(UsersErrorCode.InvalidCredentials, 'e-mail or password is wrong', { statusCode: 401 });

const tags = ['auth'];

/** `POST /v1/auth/register | login | refresh | logout`: anonymous routes. */
export function authRoutes(ctx: ServiceContext<unknown>, sessions: SessionSettings): void {
  ctx.http.post(
    '/v1/auth/register',
    { schema: { tags, body: RegisterRequest, response: { 201: Me } } },
    async (req, reply) => {
      const { email, password, displayName, accountType } = req.body;
      if (password.toLowerCase().includes(email.split('@')[0]!.toLowerCase())) {
        throw new WattstreamError(UsersErrorCode.WeakPassword, 'the password must not contain your e-mail name', {
          statusCode: 400,
          details: { fields: [{ field: 'body.password', message: 'contains the e-mail name' }] },
        });
      }
      const roles: Role[] = accountType === 'coach' ? ['athlete', 'coach'] : ['athlete'];
      const passwordHash = await hashPassword(password);
      const user = await ctx.tx(async (tx) => {
        const u = await insertUser(tx, { id: newUserId(), email, passwordHash, displayName, roles });
        const profile = await insertDefaultProfile(tx, u.id);
        await ctx.outbox.enqueue(tx, profileEvent(profile), contactEvent(u));
        return u;
      });
      return reply.status(201).header('location', '/v1/me').send(meOf(user));
    },
  );

  ctx.http.post(
    '/v1/auth/login',
    { schema: { tags, body: LoginRequest, response: { 200: TokenResponse } } },
    async (req) => {
      const user = await userByEmail(ctx.db, req.body.email);
      // Same work and the same answer for an unknown e-mail and a wrong password.
      const ok = user
        ? await verifyPassword(user.password_hash, req.body.password)
        : await verifyAgainstNothing(req.body.password);
      if (!user || !ok) throw invalidCredentials();
      return issueSession(ctx.db, sessions, user);
    },
  );

  ctx.http.post(
    '/v1/auth/refresh',
    { schema: { tags, body: RefreshRequest, response: { 200: TokenResponse } } },
    async (req) => {
      const result = await ctx.tx(async (tx) => {
        const used = await useRefreshToken(tx, req.body.refreshToken);
        if (!used.ok) return used;
        const user = await userById(tx, used.userId);
        if (!user) return { ok: false as const };
        return { ok: true as const, session: await issueSession(tx, sessions, user, used.family) };
      });
      if (result.ok) return result.session;
      if ('reusedFamily' in result && result.reusedFamily) {
        await revokeFamily(ctx.db, result.reusedFamily);
        ctx.logger.warn(
          { family: result.reusedFamily },
          'a used refresh token was presented again: its session is revoked',
        );
      }
      throw refreshInvalid();
    },
  );

  ctx.http.post('/v1/auth/logout', { schema: { tags, body: RefreshRequest } }, async (req, reply) => {
    await revokeByToken(ctx.db, req.body.refreshToken);
    return reply.status(204).send();
  });
}
