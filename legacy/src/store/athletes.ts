import type { LegacyAthlete, LegacyAthleteUpdate } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';

const COLUMNS = `id, display_name AS "displayName", ftp, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

/** The monolith knew every athlete who ever signed in: the record is made on first sight. */
export async function athleteOf(db: Queryable, id: string): Promise<LegacyAthlete> {
  const { rows } = await db.query<LegacyAthlete>(
    `WITH ins AS (INSERT INTO athletes (id, display_name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS})
     SELECT * FROM ins UNION ALL SELECT ${COLUMNS} FROM athletes WHERE id = $1 LIMIT 1`,
    [id],
  );
  return rows[0]!;
}

export async function updateAthlete(db: Queryable, id: string, u: LegacyAthleteUpdate): Promise<LegacyAthlete> {
  await athleteOf(db, id);
  const { rows } = await db.query<LegacyAthlete>(
    `UPDATE athletes SET display_name = $2, ftp = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, u.displayName, u.ftp],
  );
  return rows[0]!;
}
