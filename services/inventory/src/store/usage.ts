import { type InventoryUpdated, kafkaTopics, type SessionSummarized } from '@wattstream/contracts';
import type { OutboxEvent, Queryable } from '@wattstream/kernel';
import { monthOf, sessionUnlocks, type Unlock } from '../achievements.js';
import { type GearRow, inventoryEvent, serviceDue } from './gear.js';

/**
 * The gear a session counts on: the gear it names when the athlete owns it and it is in use, else
 * the athlete's default for the session's sport; plus the chains on that bike.
 */
async function gearFor(tx: Queryable, e: SessionSummarized): Promise<GearRow[]> {
  const named = e.gearId
    ? await tx.query<GearRow>(
        'SELECT * FROM gear WHERE id::text = $1 AND owner_id = $2 AND NOT retired AND kind <> $3',
        [e.gearId, e.athleteId, 'chain'],
      )
    : { rows: [] };
  let main = named.rows[0];
  if (!main) {
    const sport = e.sport === 'walking' ? 'running' : e.sport;
    const d = await tx.query<GearRow>(
      "SELECT * FROM gear WHERE owner_id = $1 AND sport = $2 AND is_default AND NOT retired AND kind <> 'chain'",
      [e.athleteId, sport],
    );
    main = d.rows[0];
  }
  if (!main) return [];
  const chains = await tx.query<GearRow>("SELECT * FROM gear WHERE bike_id = $1 AND kind = 'chain' AND NOT retired", [
    main.id,
  ]);
  return [main, ...chains.rows];
}

/** Adds (or, with a negative sign, takes back) one session's usage on a piece of gear. */
async function addUsage(tx: Queryable, gearId: string, distanceM: number, timeS: number, sessions: number) {
  const { rows } = await tx.query<GearRow>(
    `UPDATE gear SET distance_m = GREATEST(0, distance_m + $2), time_s = GREATEST(0, time_s + $3),
       sessions = GREATEST(0, sessions + $4), updated_at = GREATEST($5, updated_at + 1) WHERE id = $1 RETURNING *`,
    [gearId, distanceM, timeS, sessions, Date.now()],
  );
  return rows[0];
}

function badgeEvent(userId: string, u: Unlock, sessionId: string | null, at: number): OutboxEvent {
  const value: InventoryUpdated = {
    userId,
    itemId: `badge-${u.code.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 64),
    action: 'added',
    item: { kind: 'badge', name: u.title, badge: { ...u, sessionId }, distanceM: 0, retired: false },
    updatedAt: at,
  };
  return { topic: kafkaTopics.inventoryUpdated, key: userId, id: `${userId}:${u.code}`, value };
}

/** Unlocks what is not unlocked yet; the events of those that are new. */
export async function unlock(
  tx: Queryable,
  userId: string,
  unlocks: Unlock[],
  sessionId: string | null,
): Promise<OutboxEvent[]> {
  const events: OutboxEvent[] = [];
  const now = Date.now();
  for (const u of unlocks) {
    const r = await tx.query(
      `INSERT INTO achievements (user_id, code, title, session_id, unlocked_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [userId, u.code, u.title, sessionId, now],
    );
    if ((r.rowCount ?? 0) > 0) events.push(badgeEvent(userId, u, sessionId, now));
  }
  return events;
}

/**
 * A session's summary: its distance and time move onto its gear (a later revision replaces what
 * the earlier one counted; an older or repeated one changes nothing), reminders fall due, and the
 * session-based achievements are evaluated.
 */
export async function applySession(tx: Queryable, e: SessionSummarized): Promise<OutboxEvent[]> {
  const prev = await tx.query<{ revision: number }>('SELECT revision FROM sessions WHERE session_id = $1 FOR UPDATE', [
    e.sessionId,
  ]);
  if (prev.rows[0] && prev.rows[0].revision >= e.revision) return [];
  const touched = new Map<string, GearRow>();
  const old = await tx.query<{ gear_id: string; distance_m: number; time_s: number }>(
    'DELETE FROM usage WHERE session_id = $1 RETURNING gear_id, distance_m, time_s',
    [e.sessionId],
  );
  for (const u of old.rows) {
    const r = await addUsage(tx, u.gear_id, -u.distance_m, -u.time_s, -1);
    if (r) touched.set(r.id, r);
  }
  await tx.query(
    `INSERT INTO sessions (session_id, athlete_id, started_at, duration_s, distance_m, revision)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (session_id) DO UPDATE SET started_at = $3, duration_s = $4, distance_m = $5, revision = $6`,
    [e.sessionId, e.athleteId, e.startedAt, e.durationS, e.distanceM, e.revision],
  );
  for (const g of await gearFor(tx, e)) {
    await tx.query('INSERT INTO usage (session_id, gear_id, distance_m, time_s) VALUES ($1, $2, $3, $4)', [
      e.sessionId,
      g.id,
      e.distanceM,
      e.durationS,
    ]);
    const r = await addUsage(tx, g.id, e.distanceM, e.durationS, 1);
    if (r) touched.set(r.id, r);
  }
  const events: OutboxEvent[] = [];
  for (const r of touched.values())
    events.push(inventoryEvent(r, 'updated'), ...(await serviceDue(tx, r, e.summarizedAt)));

  const month = monthOf(e.startedAt);
  const total = await tx.query<{ s: number }>(
    `SELECT coalesce(sum(duration_s), 0)::float8 AS s FROM sessions
     WHERE athlete_id = $1 AND to_char(to_timestamp(started_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM') = $2`,
    [e.athleteId, month],
  );
  events.push(...(await unlock(tx, e.athleteId, sessionUnlocks(e, total.rows[0]?.s ?? 0), e.sessionId)));
  return events;
}

export async function achievementsOf(db: Queryable, userId: string) {
  const { rows } = await db.query<{ code: string; title: string; session_id: string | null; unlocked_at: string }>(
    'SELECT * FROM achievements WHERE user_id = $1 ORDER BY unlocked_at, code',
    [userId],
  );
  return rows.map((r) => ({
    code: r.code,
    title: r.title,
    sessionId: r.session_id,
    unlockedAt: new Date(Number(r.unlocked_at)).toISOString(),
  }));
}

/** Account deletion: everything the user had here. */
export async function eraseUser(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE athlete_id = $1', [userId]);
  await tx.query('DELETE FROM gear WHERE owner_id = $1', [userId]);
  await tx.query('DELETE FROM achievements WHERE user_id = $1', [userId]);
  await tx.query('DELETE FROM ftp_best WHERE athlete_id = $1', [userId]);
}
