import { type Static, Type } from '@sinclair/typebox';
import { Id, Uuid } from '../ids.js';

/** REST shapes of the inventory service (`/v1/...`, exposed by the gateway under `/inventory`). */

const Timestamp = Type.String({ format: 'date-time' });

export const GEAR_KINDS = ['bike', 'trainer', 'shoes', 'chain'] as const;
export type GearKind = (typeof GEAR_KINDS)[number];
const GearKindSchema = Type.Union(
  GEAR_KINDS.map((k) => Type.Literal(k)),
  { description: 'bike, trainer and chain count cycling sessions, shoes running ones; a chain counts its bike’s' },
);
const Name = Type.String({ minLength: 1, maxLength: 120 });
const Label = Type.String({ maxLength: 80 });
const ServiceEvery = Type.Union([Type.Integer({ minimum: 1000, maximum: 100_000_000 }), Type.Null()], {
  description: 'remind after this many metres since the last service (e.g. 3000000 for a chain); null: never',
});

export const GearInput = Type.Object(
  {
    kind: GearKindSchema,
    name: Name,
    brand: Type.Optional(Label),
    model: Type.Optional(Label),
    bikeId: Type.Optional(Uuid('the bike a chain is on (chains only)')),
    isDefault: Type.Optional(
      Type.Boolean({ description: 'the gear sessions of its sport count when they name none (one per sport)' }),
    ),
    serviceEveryM: Type.Optional(ServiceEvery),
    distanceM: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, description: 'distance it already has, m' })),
  },
  { $id: 'wattstream/inventory/GearInput', additionalProperties: false },
);
export type GearInput = Static<typeof GearInput>;

export const GearPatch = Type.Object(
  {
    name: Type.Optional(Name),
    brand: Type.Optional(Label),
    model: Type.Optional(Label),
    isDefault: Type.Optional(Type.Boolean()),
    retired: Type.Optional(Type.Boolean({ description: 'retired gear counts no more sessions' })),
    serviceEveryM: Type.Optional(ServiceEvery),
  },
  { $id: 'wattstream/inventory/GearPatch', additionalProperties: false, minProperties: 1 },
);
export type GearPatch = Static<typeof GearPatch>;

export const Gear = Type.Object(
  {
    id: Uuid('gear'),
    ownerId: Id('owner'),
    kind: GearKindSchema,
    name: Type.String(),
    brand: Type.Union([Type.String(), Type.Null()]),
    model: Type.Union([Type.String(), Type.Null()]),
    bikeId: Type.Union([Uuid('bike'), Type.Null()]),
    isDefault: Type.Boolean(),
    retired: Type.Boolean(),
    distanceM: Type.Number({ minimum: 0 }),
    timeS: Type.Number({ minimum: 0 }),
    sessions: Type.Integer({ minimum: 0 }),
    serviceEveryM: Type.Union([Type.Number(), Type.Null()]),
    sinceServiceM: Type.Number({ minimum: 0, description: 'distance since the last service' }),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/inventory/Gear', additionalProperties: false },
);
export type Gear = Static<typeof Gear>;

export const GearList = Type.Object(
  { items: Type.Array(Gear) },
  { $id: 'wattstream/inventory/GearList', additionalProperties: false },
);
export type GearList = Static<typeof GearList>;

export const Achievement = Type.Object(
  {
    code: Type.String({ description: 'first-100km, 10h-month:YYYY-MM, ftp:<watts>' }),
    title: Type.String(),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    unlockedAt: Timestamp,
  },
  { $id: 'wattstream/inventory/Achievement', additionalProperties: false },
);
export type Achievement = Static<typeof Achievement>;

export const AchievementList = Type.Object(
  { items: Type.Array(Achievement) },
  { $id: 'wattstream/inventory/AchievementList', additionalProperties: false },
);
export type AchievementList = Static<typeof AchievementList>;
