import { Type } from '@sinclair/typebox';
import { requireAccess } from '@wattstream/access';
import { DeviceStatus, Id, MAX_HISTORY_POINTS, PowerDuration, SampleSeries, SessionId } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import type { FastifyRequest } from 'fastify';
import { TrackingErrorCode } from '../errors.js';
import { encodeFit } from '../export/fit.js';
import { encodeGpx } from '../export/gpx.js';
import { encodeTcx } from '../export/tcx.js';
import type { History } from '../store/history.js';
import { type SessionRange, sessionRange } from '../store/sessions.js';

const tags = ['history'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

const EXPORTS = {
  fit: 'application/vnd.ant.fit',
  tcx: 'application/vnd.garmin.tcx+xml',
  gpx: 'application/gpx+xml',
} as const;

/** [from, to) of a session: a live one runs up to now. */
const rangeOf = (s: SessionRange) => ({ from: s.startedAt, to: (s.endedAt ?? Date.now()) + 1 });

const cursorOf = (from: number) => Buffer.from(String(from)).toString('base64url');
function fromCursor(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(n)) {
    throw new WattstreamError('WS_HTTP_VALIDATION', 'cursor is not one this API gave out', {
      statusCode: 400,
      details: { fields: [{ field: 'querystring.cursor', message: 'unknown cursor' }] },
    });
  }
  return n;
}

/**
 * The history API: a session's (or a time range's) samples downsampled in QuestDB, bounded and
 * paged; a session's power-duration curve and peak HR; FIT, TCX and GPX export; the latest
 * status of an athlete's devices. Sessions are the athlete's and their coaches'.
 */
export function historyRoutes(
  ctx: ServiceContext<unknown>,
  auth: Auth,
  history: History,
  opts: { maxRangeMs: number },
): void {
  const session = async (req: FastifyRequest, id: string) => {
    const s = await sessionRange(ctx.db, id);
    if (!s) throw notFound('session');
    await requireAccess(ctx.db, identityOf(req), s.athleteId, 'session');
    return s;
  };
  const SessionParams = Type.Object({ id: SessionId });

  ctx.http.get(
    '/v1/sessions/:id/samples',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: "a session's samples, downsampled to at most `points` buckets",
        params: SessionParams,
        querystring: Type.Object({
          points: Type.Integer({ minimum: 1, maximum: MAX_HISTORY_POINTS, default: 1000 }),
          deviceId: Type.Optional(Id('only this device')),
        }),
        response: { 200: SampleSeries },
      },
    },
    async (req) => {
      const s = await session(req, req.params.id);
      const { from, to } = rangeOf(s);
      const resolutionMs = Math.max(1, Math.ceil((to - from) / req.query.points));
      const deviceId = req.query.deviceId ?? null;
      const series = await history.series(s.athleteId, deviceId, from, to, resolutionMs);
      return { athleteId: s.athleteId, deviceId, from, to, resolutionMs, ...series, nextCursor: null };
    },
  );

  ctx.http.get(
    '/v1/athletes/:athleteId/samples',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'samples of a time range, in buckets of `resolutionMs`, at most 2,000 buckets a page',
        params: Type.Object({ athleteId: Id('athlete') }),
        querystring: Type.Object({
          from: Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' }),
          to: Type.Integer({ minimum: 0, description: 'epoch ms, exclusive' }),
          resolutionMs: Type.Integer({ minimum: 1, maximum: 86_400_000, default: 1000 }),
          deviceId: Type.Optional(Id('only this device')),
          cursor: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: { 200: SampleSeries },
      },
    },
    async (req) => {
      const q = req.query;
      if (!(q.to > q.from) || q.to - q.from > opts.maxRangeMs) {
        throw new WattstreamError(
          TrackingErrorCode.RangeInvalid,
          `from … to must be a range of at most ${Math.round(opts.maxRangeMs / 86_400_000)} days, ending after it starts`,
          { statusCode: 400, details: { fields: [{ field: 'querystring.to', message: 'range too long or empty' }] } },
        );
      }
      await requireAccess(ctx.db, identityOf(req), req.params.athleteId, 'athlete');
      const pageFrom = q.cursor ? fromCursor(q.cursor) : q.from;
      if (pageFrom < q.from || pageFrom >= q.to || (pageFrom - q.from) % q.resolutionMs !== 0) fromCursor('x');
      const pageTo = Math.min(q.to, pageFrom + q.resolutionMs * MAX_HISTORY_POINTS);
      const deviceId = q.deviceId ?? null;
      const series = await history.series(req.params.athleteId, deviceId, pageFrom, pageTo, q.resolutionMs);
      return {
        athleteId: req.params.athleteId,
        deviceId,
        from: pageFrom,
        to: pageTo,
        resolutionMs: q.resolutionMs,
        ...series,
        nextCursor: pageTo < q.to ? cursorOf(pageTo) : null,
      };
    },
  );

  ctx.http.get(
    '/v1/sessions/:id/power-duration',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'best 5 s, 1, 5, 20 and 60 min power, and peak heart rate',
        params: SessionParams,
        response: { 200: PowerDuration },
      },
    },
    async (req) => {
      const s = await session(req, req.params.id);
      const { from, to } = rangeOf(s);
      return { sessionId: s.id, ...(await history.powerDuration(s.athleteId, from, to)) };
    },
  );

  ctx.http.get(
    '/v1/sessions/:id/export.:format',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'the session as a FIT, TCX or GPX file (one record per second)',
        params: Type.Object({
          id: SessionId,
          format: Type.Union([Type.Literal('fit'), Type.Literal('tcx'), Type.Literal('gpx')]),
        }),
      },
    },
    async (req, reply) => {
      const s = await session(req, req.params.id);
      const { from, to } = rangeOf(s);
      const rows = await history.seconds(s.athleteId, from, to);
      if (rows.length === 0) {
        throw new WattstreamError(TrackingErrorCode.NoSamples, 'this session has no samples in the history yet', {
          statusCode: 404,
        });
      }
      const name = `ride-${new Date(s.startedAt).toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
      const format = req.params.format;
      let body: Uint8Array | string;
      if (format === 'fit') body = Buffer.from(encodeFit(rows, s.sport));
      else if (format === 'tcx') body = encodeTcx(rows, s.sport);
      else {
        const gpx = encodeGpx(rows, name, s.sport);
        if (gpx === null) {
          throw new WattstreamError(
            TrackingErrorCode.NoPositions,
            'GPX needs positions and this session has none (an indoor ride?): export it as FIT or TCX',
            { statusCode: 422 },
          );
        }
        body = gpx;
      }
      return reply
        .type(EXPORTS[format])
        .header('content-disposition', `attachment; filename="${name}.${format}"`)
        .send(body);
    },
  );

  ctx.http.get(
    '/v1/athletes/:athleteId/devices',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: "latest known status of the athlete's devices (last 30 days)",
        params: Type.Object({ athleteId: Id('athlete') }),
        response: { 200: DeviceStatus },
      },
    },
    async (req) => {
      await requireAccess(ctx.db, identityOf(req), req.params.athleteId, 'athlete');
      return { items: await history.devices(req.params.athleteId, 30) };
    },
  );
}
