import { Type } from '@sinclair/typebox';
import { requireAccess } from '@wattstream/access';
import { Id, Workout, WorkoutInput, WorkoutList } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import type { ParsedWorkout } from '../formats/common.js';
import { formatError } from '../formats/common.js';
import { parseErg, writeErg } from '../formats/erg.js';
import { parseZwo, writeZwo } from '../formats/zwo.js';
import { profileOf } from '../store/projections.js';
import { deleteWorkout, insertWorkout, workoutById, workoutsOf } from '../store/workouts.js';
import { readUpload } from '../upload.js';

const tags = ['workouts'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
const WORKOUT_FILE_LIMIT = 1024 * 1024;

const FORMATS = {
  zwo: { type: 'application/xml', parse: parseZwo },
  erg: { type: 'text/plain', parse: (t: string) => parseErg(t, 'erg') },
  mrc: { type: 'text/plain', parse: (t: string) => parseErg(t, 'mrc') },
} as const;
type Format = keyof typeof FORMATS;

function formatOf(filename: string, declared: string | undefined): Format {
  const f = (declared ?? filename.split('.').pop() ?? '').toLowerCase();
  if (f in FORMATS) return f as Format;
  throw formatError(
    `cannot tell the format of ${filename || 'the file'}: name it .zwo, .erg or .mrc, or send field \`format\``,
    'file',
  );
}

/** Structured workouts in an athlete's library, created by the athlete or their coach; .zwo/.erg/.mrc in and out. */
export function workoutRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  const create = async (who: ReturnType<typeof identityOf>, athleteId: string | undefined, w: ParsedWorkout) => {
    const owner = athleteId ?? who.userId;
    await requireAccess(ctx.db, who, owner, 'athlete');
    return insertWorkout(ctx.db, { ...w, athleteId: owner, createdBy: who.userId });
  };
  const readable = async (req: Parameters<typeof identityOf>[0], id: string) => {
    const w = await workoutById(ctx.db, id);
    if (!w) throw notFound('workout');
    await requireAccess(ctx.db, identityOf(req), w.athleteId, 'workout');
    return w;
  };
  const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });

  ctx.http.post(
    '/v1/workouts',
    { preHandler: auth, schema: { tags, security, body: WorkoutInput, response: { 201: Workout } } },
    async (req, reply) => {
      const b = req.body;
      const w = await create(identityOf(req), b.athleteId, {
        name: b.name,
        description: b.description ?? '',
        sport: b.sport ?? 'cycling',
        steps: b.steps,
      });
      return reply.status(201).send(w);
    },
  );

  ctx.http.post(
    '/v1/workouts/import',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'import a .zwo, .erg or .mrc workout file',
        description:
          'multipart/form-data: the file in field `file`; optional `format` (zwo | erg | mrc, default: from the file name) and `athleteId` (a coach importing for an athlete).',
        consumes: ['multipart/form-data'],
        response: { 201: Workout },
      },
    },
    async (req, reply) => {
      const up = await readUpload(req, WORKOUT_FILE_LIMIT, ['format', 'athleteId']);
      const format = formatOf(up.filename, up.fields.format);
      const parsed = FORMATS[format].parse(up.file.toString('utf8'));
      const athleteId = up.fields.athleteId;
      if (athleteId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(athleteId)) throw notFound('athlete');
      return reply.status(201).send(await create(identityOf(req), athleteId, parsed));
    },
  );

  ctx.http.get(
    '/v1/workouts',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        querystring: Type.Object({ athleteId: Type.Optional(Id('athlete; default: you')) }),
        response: { 200: WorkoutList },
      },
    },
    async (req) => {
      const who = identityOf(req);
      const athleteId = req.query.athleteId ?? who.userId;
      await requireAccess(ctx.db, who, athleteId, 'athlete');
      return { items: await workoutsOf(ctx.db, athleteId) };
    },
  );

  ctx.http.get(
    '/v1/workouts/:id',
    { preHandler: auth, schema: { tags, security, params: IdParam, response: { 200: Workout } } },
    async (req) => readable(req, req.params.id),
  );

  ctx.http.delete(
    '/v1/workouts/:id',
    { preHandler: auth, schema: { tags, security, params: IdParam } },
    async (req, reply) => {
      await readable(req, req.params.id);
      await deleteWorkout(ctx.db, req.params.id);
      return reply.status(204).send();
    },
  );

  ctx.http.get(
    '/v1/workouts/:id/export.:format',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'the workout as a .zwo, .erg or .mrc file',
        params: Type.Object({
          id: Type.String({ format: 'uuid' }),
          format: Type.Union([Type.Literal('zwo'), Type.Literal('erg'), Type.Literal('mrc')]),
        }),
      },
    },
    async (req, reply) => {
      const w = await readable(req, req.params.id);
      const format = req.params.format;
      const text =
        format === 'zwo' ? writeZwo(w) : writeErg(w, format, (await profileOf(ctx.db, w.athleteId)).profile.ftp);
      const file = `${
        w.name
          .replace(/[^A-Za-z0-9 _-]/g, '')
          .trim()
          .replace(/\s+/g, '-') || 'workout'
      }.${format}`;
      return reply
        .type(`${FORMATS[format].type}; charset=utf-8`)
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(text);
    },
  );
}
