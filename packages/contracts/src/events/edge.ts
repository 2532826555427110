import { type Static, Type } from '@sinclair/typebox';
import { EpochMs } from '../ids.js';

/** Payload on `v1/status/{edgeId}` (retained; also the Last Will with state `offline`). */
export const EdgeStatus = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    ts: EpochMs('when the status was produced'),
    version: Type.Optional(Type.String({ maxLength: 64, description: 'agent version' })),
    queueDepth: Type.Optional(Type.Integer({ minimum: 0, description: 'batches waiting in the outbound queue' })),
    sensors: Type.Optional(Type.Integer({ minimum: 0, description: 'paired sensors connected' })),
  },
  { $id: 'wattstream/v1/EdgeStatus', additionalProperties: false },
);
export type EdgeStatus = Static<typeof EdgeStatus>;

/** Payload on `v1/errors/{edgeId}`: why ingest refused a publish. */
export const EdgeError = Type.Object(
  {
    code: Type.String({ description: 'stable error code, e.g. WS_CONTRACT_SCHEMA' }),
    message: Type.String({ description: 'what is wrong, naming the field' }),
    topic: Type.String({ description: 'topic of the refused publish' }),
    seq: Type.Optional(Type.Integer({ minimum: 0, description: 'seq of the refused batch, when readable' })),
    ts: EpochMs('when ingest refused it'),
  },
  { $id: 'wattstream/v1/EdgeError', additionalProperties: false },
);
export type EdgeError = Static<typeof EdgeError>;

/** Payload on `v1/commands/{edgeId}`: a command from the platform to an edge. */
export const EdgeCommand = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, description: 'command id, for idempotence' }),
    type: Type.Union([Type.Literal('ping'), Type.Literal('flush'), Type.Literal('reload-pairings')], {
      description: 'what to do',
    }),
    ts: EpochMs('when the command was issued'),
  },
  { $id: 'wattstream/v1/EdgeCommand', additionalProperties: false },
);
export type EdgeCommand = Static<typeof EdgeCommand>;
