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
        kind: Type.Union([
          Type.Literal('bike'),
          Type.Literal('trainer'),
          Type.Literal('shoes'),
          Type.Literal('sensor'),
        ]),
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
        distanceM: Type.Number({ minimum: 0, description: 'accumulated usage distance, m' }),
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
