import { type Static, Type } from '@sinclair/typebox';

/**
 * The operations API every kernel service serves beside `/metrics`, `/healthz` and `/readyz`:
 * its log levels, read and changed while it runs (admin accounts only).
 */

export const LOG_LEVEL_NAMES = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LogLevelName = Type.Union(
  LOG_LEVEL_NAMES.map((l) => Type.Literal(l)),
  { description: 'a pino level; silent writes nothing' },
);

/** A part of the service that logs with its own `component` field (e.g. mqtt, kafkajs, consumer). */
export const COMPONENT_NAME_PATTERN = '^[a-z][a-z0-9-]{0,39}$';
// TypeBox turns a string key into `^.*$`, so the names are checked with propertyNames.
const ComponentName = Type.String();
const componentNames = { propertyNames: { pattern: COMPONENT_NAME_PATTERN } };

export const LogLevelsView = Type.Object(
  {
    level: LogLevelName,
    components: Type.Record(
      ComponentName,
      Type.Object(
        {
          level: LogLevelName,
          own: Type.Boolean({ description: "true: its own level; false: it follows the service's" }),
        },
        { additionalProperties: false },
      ),
      { ...componentNames, description: 'every component that has logged, and every one given a level' },
    ),
  },
  { $id: 'wattstream/ops/LogLevelsView', additionalProperties: false },
);
export type LogLevelsView = Static<typeof LogLevelsView>;

export const LogLevelsChange = Type.Object(
  {
    level: Type.Optional(LogLevelName),
    components: Type.Optional(
      Type.Record(ComponentName, Type.Union([LogLevelName, Type.Null()]), {
        ...componentNames,
        description: "a level per component; null puts it back on the service's level",
        maxProperties: 100,
      }),
    ),
  },
  {
    $id: 'wattstream/ops/LogLevelsChange',
    additionalProperties: false,
    description: 'applies at once, to this replica only, until it restarts (LOG_LEVEL and LOG_LEVELS set the start)',
  },
);
export type LogLevelsChange = Static<typeof LogLevelsChange>;
