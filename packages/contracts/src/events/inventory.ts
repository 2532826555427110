import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Value of a `user.inventory.updated` record (key = userId): a user's equipment changed. */
export const InventoryUpdated = Type.Object(
  {
    userId: Id('owner'),
    itemId: Id('equipment item'),
    action: Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('removed')]),
    item: Type.Object(
      {
        kind: Type.Union(
          [
            Type.Literal('bike'),
            Type.Literal('trainer'),
            Type.Literal('shoes'),
            Type.Literal('chain'),
            Type.Literal('sensor'),
            Type.Literal('badge'),
          ],
          { description: 'equipment, or `badge`: a virtual item an achievement unlocked' },
        ),
        name: Type.String({ minLength: 1, maxLength: 120 }),
        brand: Type.Optional(Type.String({ maxLength: 80 })),
        model: Type.Optional(Type.String({ maxLength: 80 })),
        sensor: Type.Optional(
          Type.Object(
            {
              transport: Type.Union([Type.Literal('ble'), Type.Literal('ant')]),
              sensorId: Type.String({ minLength: 1, maxLength: 64, description: 'BLE address or ANT+ device number' }),
              type: Type.Union([
                Type.Literal('hr'),
                Type.Literal('power'),
                Type.Literal('speed'),
                Type.Literal('cadence'),
                Type.Literal('speed_cadence'),
                Type.Literal('trainer'),
                Type.Literal('stride'),
              ]),
            },
            { additionalProperties: false },
          ),
        ),
        wheelCircumferenceMm: Type.Optional(Type.Integer({ minimum: 500, maximum: 3000 })),
        bikeId: Type.Optional(Id('the bike a chain is on')),
        badge: Type.Optional(
          Type.Object(
            {
              code: Type.String({ pattern: '^[a-z0-9][a-z0-9:._-]{0,63}$', description: 'e.g. first-100km' }),
              title: Type.String({ minLength: 1, maxLength: 120 }),
              sessionId: Type.Union([Type.String({ maxLength: 128 }), Type.Null()], {
                description: 'the session that unlocked it',
              }),
            },
            { additionalProperties: false },
          ),
        ),
        distanceM: Type.Number({ minimum: 0, description: 'accumulated usage distance, m' }),
        timeS: Type.Optional(Type.Number({ minimum: 0, description: 'accumulated usage time, s' })),
        retired: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    updatedAt: EpochMs('when the change happened'),
  },
  {
    $id: 'wattstream/v1/InventoryUpdated',
    additionalProperties: false,
    description: "A user's equipment (bike, trainer, shoes, sensor) was added, changed or removed.",
  },
);
export type InventoryUpdated = Static<typeof InventoryUpdated>;

/**
 * Value of an `inventory.gear.service.due` record (key = userId): a piece of gear reached its
 * service distance (e.g. a chain at 3,000 km since its last service). Notifications tells the owner.
 */
export const GearServiceDue = Type.Object(
  {
    userId: Id('owner'),
    itemId: Id('equipment item'),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    kind: Type.Union([Type.Literal('bike'), Type.Literal('trainer'), Type.Literal('shoes'), Type.Literal('chain')]),
    distanceM: Type.Number({ minimum: 0, description: 'distance on the item now, m' }),
    sinceServiceM: Type.Number({ minimum: 0, description: 'distance since its last service, m' }),
    serviceEveryM: Type.Number({ exclusiveMinimum: 0, description: 'the service interval the owner set, m' }),
    occurredAt: EpochMs('when the session that crossed the interval was counted'),
  },
  {
    $id: 'wattstream/v1/GearServiceDue',
    additionalProperties: false,
    description: 'A piece of gear is due for service.',
  },
);
export type GearServiceDue = Static<typeof GearServiceDue>;
