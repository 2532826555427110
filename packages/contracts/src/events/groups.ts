import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

export const GROUP_RANK_BY = ['distance', 'power', 'wkg'] as const;
export type GroupRankBy = (typeof GROUP_RANK_BY)[number];
export const MAX_GROUP_MEMBERS = 500;

/** Body of `PUT /v1/groups/{groupId}` on the live server (coach or admin token). */
export const GroupDefinition = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, description: 'display name of the group ride or race' }),
    members: Type.Array(Id('athlete'), {
      minItems: 1,
      maxItems: MAX_GROUP_MEMBERS,
      uniqueItems: true,
      description: 'athlete ids on the leaderboard',
    }),
    rankBy: Type.Union(
      GROUP_RANK_BY.map((r) => Type.Literal(r)),
      {
        description:
          'distance: session distance; power: session mean power; wkg: session mean power per kg of body weight',
      },
    ),
  },
  { $id: 'wattstream/v1/GroupDefinition', additionalProperties: false },
);
export type GroupDefinition = Static<typeof GroupDefinition>;

/**
 * Value of a `live.group.updated` record (key = groupId, compacted): the current definition of a
 * group. Every live node reads the whole topic, so each has every group. A tombstone deletes it.
 */
export const GroupUpdated = Type.Object(
  {
    groupId: Id('group'),
    name: GroupDefinition.properties.name,
    members: GroupDefinition.properties.members,
    rankBy: GroupDefinition.properties.rankBy,
    updatedBy: Id('user who changed the group (coach or admin)'),
    updatedAt: EpochMs('when the group changed'),
  },
  {
    $id: 'wattstream/v1/GroupUpdated',
    additionalProperties: false,
    description: 'A live group (group ride, race) and its members.',
  },
);
export type GroupUpdated = Static<typeof GroupUpdated>;
