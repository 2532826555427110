import { randomUUID } from 'node:crypto';
import {
  type Gear,
  type GearInput,
  type GearKind,
  type GearPatch,
  type GearServiceDue,
  type InventoryUpdated,
  kafkaTopics,
} from '@wattstream/contracts';
import { notFound, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { InventoryErrorCode } from '../errors.js';
import { iso } from './time.js';

export interface GearRow {
  id: string;
  owner_id: string;
  kind: GearKind;
  sport: string;
  name: string;
  brand: string | null;
  model: string | null;
  bike_id: string | null;
  is_default: boolean;
  retired: boolean;
  distance_m: number;
  time_s: number;
  sessions: number;
  service_every_m: number | null;
  serviced_at_m: number;
  reminded_cycle: number;
  created_at: string;
  updated_at: string;
}

/** The sport whose sessions a kind of gear counts (a chain: its bike's). */
export const sportOfKind = (kind: GearKind): 'cycling' | 'running' => (kind === 'shoes' ? 'running' : 'cycling');

export const gearOf = (r: GearRow): Gear => ({
  id: r.id,
  ownerId: r.owner_id,
  kind: r.kind,
  name: r.name,
  brand: r.brand,
  model: r.model,
  bikeId: r.bike_id,
  isDefault: r.is_default,
  retired: r.retired,
  distanceM: r.distance_m,
  timeS: r.time_s,
  sessions: r.sessions,
  serviceEveryM: r.service_every_m,
  sinceServiceM: Math.max(0, r.distance_m - r.serviced_at_m),
  createdAt: iso(r.created_at),
});

export function inventoryEvent(
  r: GearRow,
  action: InventoryUpdated['action'],
): OutboxEvent<typeof kafkaTopics.inventoryUpdated> {
  const updatedAt = Number(r.updated_at);
  return {
    topic: kafkaTopics.inventoryUpdated,
    key: r.owner_id,
    id: `${r.id}:${updatedAt}:${action}`,
    value: {
      userId: r.owner_id,
      itemId: r.id,
      action,
      item: {
        kind: r.kind,
        name: r.name,
        ...(r.brand === null ? {} : { brand: r.brand }),
        ...(r.model === null ? {} : { model: r.model }),
        ...(r.bike_id === null ? {} : { bikeId: r.bike_id }),
        distanceM: r.distance_m,
        timeS: r.time_s,
        retired: r.retired,
      },
      updatedAt,
    },
  };
}

/**
 * The reminder a use of `r` owes: once per service interval, when the distance since the last
 * service first reaches a multiple of `service_every_m`. Updates `reminded_cycle`.
 */
export async function serviceDue(tx: Queryable, r: GearRow, at: number): Promise<OutboxEvent[]> {
  if (r.service_every_m === null || r.retired) return [];
  const since = r.distance_m - r.serviced_at_m;
  const cycle = Math.floor(since / r.service_every_m);
  if (cycle < 1 || cycle <= r.reminded_cycle) return [];
  await tx.query('UPDATE gear SET reminded_cycle = $2 WHERE id = $1', [r.id, cycle]);
  const value: GearServiceDue = {
    userId: r.owner_id,
    itemId: r.id,
    name: r.name,
    kind: r.kind,
    distanceM: r.distance_m,
    sinceServiceM: since,
    serviceEveryM: r.service_every_m,
    occurredAt: at,
  };
  return [{ topic: kafkaTopics.gearServiceDue, key: r.owner_id, id: `${r.id}:${at}`, value }];
}

async function clearDefault(tx: Queryable, ownerId: string, sport: string, except: string): Promise<void> {
  await tx.query(
    "UPDATE gear SET is_default = false WHERE owner_id = $1 AND sport = $2 AND kind <> 'chain' AND id <> $3",
    [ownerId, sport, except],
  );
}

export async function lockGear(tx: Queryable, id: string, ownerId: string): Promise<GearRow> {
  const { rows } = await tx.query<GearRow>('SELECT * FROM gear WHERE id = $1 AND owner_id = $2 FOR UPDATE', [
    id,
    ownerId,
  ]);
  if (!rows[0]) throw notFound('gear');
  return rows[0];
}

export async function addGear(tx: Queryable, ownerId: string, input: GearInput) {
  if ((input.kind === 'chain') !== (input.bikeId !== undefined)) {
    throw new WattstreamError(
      InventoryErrorCode.ChainBike,
      'a chain names the bike it is on (bikeId); other gear does not',
      {
        statusCode: 400,
        details: { fields: [{ field: 'body.bikeId', message: input.kind === 'chain' ? 'required' : 'chains only' }] },
      },
    );
  }
  if (input.bikeId !== undefined) {
    const bike = await lockGear(tx, input.bikeId, ownerId);
    if (bike.kind !== 'bike') throw notFound('bike');
  }
  const id = randomUUID();
  const sport = sportOfKind(input.kind);
  const isDefault = input.kind !== 'chain' && (input.isDefault ?? false);
  if (isDefault) await clearDefault(tx, ownerId, sport, id);
  const now = Date.now();
  const { rows } = await tx.query<GearRow>(
    `INSERT INTO gear (id, owner_id, kind, sport, name, brand, model, bike_id, is_default, distance_m, service_every_m,
       serviced_at_m, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $12, $12) RETURNING *`,
    [
      id,
      ownerId,
      input.kind,
      sport,
      input.name,
      input.brand ?? null,
      input.model ?? null,
      input.bikeId ?? null,
      isDefault,
      input.distanceM ?? 0,
      input.serviceEveryM ?? null,
      now,
    ],
  );
  const r = rows[0]!;
  return { gear: gearOf(r), events: [inventoryEvent(r, 'added')] };
}

export async function patchGear(tx: Queryable, ownerId: string, id: string, p: GearPatch) {
  const prev = await lockGear(tx, id, ownerId);
  const isDefault = prev.kind !== 'chain' && (p.isDefault ?? prev.is_default) && !(p.retired ?? prev.retired);
  if (isDefault && !prev.is_default) await clearDefault(tx, ownerId, prev.sport, id);
  const { rows } = await tx.query<GearRow>(
    `UPDATE gear SET name = $2, brand = $3, model = $4, is_default = $5, retired = $6, service_every_m = $7,
       updated_at = GREATEST($8, updated_at + 1) WHERE id = $1 RETURNING *`,
    [
      id,
      p.name ?? prev.name,
      p.brand ?? prev.brand,
      p.model ?? prev.model,
      isDefault,
      p.retired ?? prev.retired,
      p.serviceEveryM === undefined ? prev.service_every_m : p.serviceEveryM,
      Date.now(),
    ],
  );
  const r = rows[0]!;
  return { gear: gearOf(r), events: [inventoryEvent(r, 'updated')] };
}

/** The owner serviced it (new chain, new tyres…): the distance since service starts again. */
export async function markServiced(tx: Queryable, ownerId: string, id: string) {
  await lockGear(tx, id, ownerId);
  const { rows } = await tx.query<GearRow>(
    `UPDATE gear SET serviced_at_m = distance_m, reminded_cycle = 0, updated_at = GREATEST($2, updated_at + 1)
     WHERE id = $1 RETURNING *`,
    [id, Date.now()],
  );
  const r = rows[0]!;
  return { gear: gearOf(r), events: [inventoryEvent(r, 'updated')] };
}

export async function removeGear(tx: Queryable, ownerId: string, id: string): Promise<OutboxEvent[]> {
  const r = await lockGear(tx, id, ownerId);
  await tx.query('DELETE FROM gear WHERE id = $1', [id]);
  return [inventoryEvent({ ...r, updated_at: String(Math.max(Date.now(), Number(r.updated_at) + 1)) }, 'removed')];
}

export async function gearOfOwner(db: Queryable, ownerId: string): Promise<Gear[]> {
  const { rows } = await db.query<GearRow>('SELECT * FROM gear WHERE owner_id = $1 ORDER BY created_at, id', [ownerId]);
  return rows.map(gearOf);
}

export async function gearById(db: Queryable, id: string): Promise<GearRow | undefined> {
  const { rows } = await db.query<GearRow>('SELECT * FROM gear WHERE id = $1', [id]);
  return rows[0];
}
