import { randomBytes } from 'node:crypto';
import { type Edge, kafkaTopics, type SensorPairings } from '@wattstream/contracts';
import { notFound, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

interface EdgeRow {
  id: string;
  owner_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  credential_id: string | null;
  credential_expires_at: Date | null;
  sensors: Edge['sensors'] | null;
}

/** Edges one athlete may have: a laptop, a trainer's box, a few studio machines. */
export const MAX_EDGES = 20;

const SELECT = `SELECT e.*, (SELECT coalesce(json_agg(json_strip_nulls(json_build_object('sensorId', s.sensor_id, 'kind', s.kind, 'name', s.name)) ORDER BY s.sensor_id), '[]')
  FROM sensor_pairings s WHERE s.edge_id = e.id) AS sensors FROM edges e`;

const edgeOf = (r: EdgeRow): Edge => ({
  edgeId: r.id,
  name: r.name,
  sensors: r.sensors ?? [],
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
  credentialExpiresAt: r.credential_expires_at?.toISOString() ?? null,
});

export const newEdgeId = (): string => `e${randomBytes(12).toString('base64url')}`;

export function edgeEvent(r: {
  id: string;
  owner_id: string;
  revoked: boolean;
  credentialId: string | null;
}): OutboxEvent<typeof kafkaTopics.edgeUpdated> {
  const updatedAt = Date.now();
  return {
    topic: kafkaTopics.edgeUpdated,
    key: r.id,
    value: {
      edgeId: r.id,
      ownerId: r.owner_id,
      athletes: [r.owner_id],
      revoked: r.revoked,
      credentialId: r.credentialId,
      updatedAt,
    },
    id: `${r.id}:${updatedAt}`,
  };
}

export async function insertEdge(tx: Queryable, ownerId: string, name: string): Promise<EdgeRow> {
  const count = await tx.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM edges WHERE owner_id = $1 AND revoked_at IS NULL',
    [ownerId],
  );
  if ((count.rows[0]?.n ?? 0) >= MAX_EDGES) {
    throw new WattstreamError(
      UsersErrorCode.EdgeLimit,
      `at most ${MAX_EDGES} edges per athlete; revoke one you no longer use`,
      {
        statusCode: 409,
      },
    );
  }
  const { rows } = await tx.query<EdgeRow>(
    `INSERT INTO edges (id, owner_id, name) VALUES ($1, $2, $3) RETURNING *, NULL AS sensors`,
    [newEdgeId(), ownerId, name],
  );
  return rows[0]!;
}

/** The owner's edge, locked; a 404 for anyone else's (never reveal that it exists). */
export async function ownEdgeForUpdate(tx: Queryable, ownerId: string, edgeId: string): Promise<EdgeRow> {
  const { rows } = await tx.query<EdgeRow>(
    'SELECT *, NULL AS sensors FROM edges WHERE id = $1 AND owner_id = $2 FOR UPDATE',
    [edgeId, ownerId],
  );
  if (!rows[0]) throw notFound('edge');
  return rows[0];
}

/** Records the edge's one valid credential (its `jti`): older ones are refused from now on. */
export async function setCredential(
  tx: Queryable,
  edgeId: string,
  credentialId: string,
  expiresAt: Date,
): Promise<void> {
  await tx.query('UPDATE edges SET credential_id = $2, credential_expires_at = $3 WHERE id = $1', [
    edgeId,
    credentialId,
    expiresAt,
  ]);
}

export async function revokeEdge(tx: Queryable, edgeId: string): Promise<void> {
  await tx.query('UPDATE edges SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [edgeId]);
}

export async function edgesOf(db: Queryable, ownerId: string): Promise<Edge[]> {
  const { rows } = await db.query<EdgeRow>(`${SELECT} WHERE e.owner_id = $1 ORDER BY e.created_at`, [ownerId]);
  return rows.map(edgeOf);
}

export async function edgeById(db: Queryable, ownerId: string, edgeId: string): Promise<Edge> {
  const { rows } = await db.query<EdgeRow>(`${SELECT} WHERE e.id = $1 AND e.owner_id = $2`, [edgeId, ownerId]);
  if (!rows[0]) throw notFound('edge');
  return edgeOf(rows[0]);
}

export async function replacePairings(tx: Queryable, edgeId: string, p: SensorPairings): Promise<void> {
  await tx.query('DELETE FROM sensor_pairings WHERE edge_id = $1', [edgeId]);
  if (p.sensors.length === 0) return;
  await tx.query(
    `INSERT INTO sensor_pairings (edge_id, sensor_id, kind, name)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
    [edgeId, p.sensors.map((s) => s.sensorId), p.sensors.map((s) => s.kind), p.sensors.map((s) => s.name ?? null)],
  );
}
