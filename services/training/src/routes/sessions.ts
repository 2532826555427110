import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { requireAccess } from '@wattstream/access';
import {
  Id,
  kafkaTopics,
  MAX_IMPORTED_SAMPLES_PER_RECORD,
  Session,
  SessionId,
  SessionPage,
} from '@wattstream/contracts';
import { identityOf, notFound, type OutboxEvent, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { readFitActivity } from '../fit.js';
import { profileOf } from '../store/projections.js';
import { listSessions, refuseExisting, saveCompleted, sessionById, summarizedEvent } from '../store/sessions.js';
import { dayOf, plannedFor } from '../store/workouts.js';
import { summarizeActivity } from '../summary.js';
import { readUpload } from '../upload.js';

const tags = ['sessions'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

/** Sessions: the caller's (or, for a coach, an athlete's) list and one session; FIT uploads. */
export function sessionRoutes(ctx: ServiceContext<unknown>, auth: Auth, uploadLimit: number): void {
  ctx.http.get(
    '/v1/sessions',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        querystring: Type.Object({
          athleteId: Type.Optional(Id('athlete (a coach reading one of their athletes); default: you')),
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        response: { 200: SessionPage },
      },
    },
    async (req) => {
      const who = identityOf(req);
      const athleteId = req.query.athleteId ?? who.userId;
      await requireAccess(ctx.db, who, athleteId, 'athlete');
      return listSessions(ctx.db, athleteId, req.query.limit, req.query.cursor);
    },
  );

  ctx.http.get(
    '/v1/sessions/:id',
    {
      preHandler: auth,
      schema: { tags, security, params: Type.Object({ id: SessionId }), response: { 200: Session } },
    },
    async (req) => {
      const s = await sessionById(ctx.db, req.params.id);
      if (!s) throw notFound('session');
      await requireAccess(ctx.db, identityOf(req), s.athleteId, 'session');
      return s;
    },
  );

  ctx.http.post(
    '/v1/sessions',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'upload a FIT activity',
        description:
          'multipart/form-data with the FIT file in field `file` (and optionally `gearId`). The activity is summarised with the same code as live sessions; its samples go to the tracking history.',
        consumes: ['multipart/form-data'],
        response: { 201: Session },
      },
    },
    async (req, reply) => {
      const who = identityOf(req);
      const upload = await readUpload(req, uploadLimit, ['gearId']);
      const gearId = upload.fields.gearId;
      if (gearId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(gearId)) {
        throw new WattstreamError('WS_HTTP_VALIDATION', 'gearId must be 1–64 chars of [A-Za-z0-9_-]', {
          statusCode: 400,
          details: { fields: [{ field: 'body.gearId', message: 'not an id' }] },
        });
      }
      const activity = readFitActivity(upload.file);
      const sha = createHash('sha256').update(upload.file).digest('hex');
      const session = await ctx.tx(async (tx) => {
        const { profile } = await profileOf(tx, who.userId);
        const firstTs = activity.samples[0]!.ts;
        await refuseExisting(tx, `${who.userId}:${firstTs}`);
        const plan = await plannedFor(tx, who.userId, dayOf(firstTs));
        const { sessionId, summary, compliance } = summarizeActivity(
          who.userId,
          activity.samples,
          profile,
          plan?.segments ?? null,
        );
        const saved = await saveCompleted(tx, {
          id: sessionId,
          athleteId: who.userId,
          source: 'upload',
          sport: activity.sport,
          startedAt: firstTs,
          endedAt: activity.samples.at(-1)!.ts,
          summary,
          plan: plan && { assignmentId: plan.assignmentId, workoutId: plan.workoutId },
          compliance,
          fileSha256: sha,
        });
        const withGear = gearId === undefined ? saved : await setGear(tx, saved, gearId);
        await ctx.outbox.enqueue(tx, summarizedEvent(withGear), ...sampleEvents(withGear, activity));
        return withGear;
      });
      return reply
        .status(201)
        .header('location', `/v1/sessions/${encodeURIComponent(session.id)}`)
        .send(session);
    },
  );
}

async function setGear(tx: Parameters<typeof sessionById>[0], s: Session, gearId: string): Promise<Session> {
  await tx.query('UPDATE sessions SET gear_id = $2 WHERE id = $1', [s.id, gearId]);
  return { ...s, gearId };
}

/** The samples of an uploaded session for tracking, in chunks (ce_id `{sessionId}:{chunk}`). */
function sampleEvents(
  s: Session,
  a: ReturnType<typeof readFitActivity>,
): OutboxEvent<typeof kafkaTopics.samplesImported>[] {
  const chunks = Math.ceil(a.samples.length / MAX_IMPORTED_SAMPLES_PER_RECORD);
  return Array.from({ length: chunks }, (_, chunk) => ({
    topic: kafkaTopics.samplesImported,
    key: s.athleteId,
    id: `${s.id}:${chunk}`,
    value: {
      sessionId: s.id,
      athleteId: s.athleteId,
      deviceId: a.deviceId,
      chunk,
      chunks,
      samples: a.samples.slice(chunk * MAX_IMPORTED_SAMPLES_PER_RECORD, (chunk + 1) * MAX_IMPORTED_SAMPLES_PER_RECORD),
    },
  }));
}
