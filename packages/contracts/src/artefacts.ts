import type { TSchema } from '@sinclair/typebox';
import { buildAsyncApi, toJsonSchemaDocument } from './asyncapi.js';
import { EdgeCommand, EdgeError, EdgeStatus } from './events/edge.js';
import { GroupDefinition } from './events/groups.js';
import { KAFKA_TOPICS } from './kafka-topics.js';
import { LiveClientMessage, LiveServerMessage } from './live.js';
import { SampleBatch } from './samples.js';

/** Files generated from the contract sources: relative path → content. */
export function renderArtefacts(toYaml: (value: unknown) => string): Record<string, string> {
  const files: Record<string, string> = {};
  const schemas: Record<string, TSchema> = {
    'mqtt/sample-batch': SampleBatch,
    'mqtt/edge-status': EdgeStatus,
    'mqtt/edge-error': EdgeError,
    'mqtt/edge-command': EdgeCommand,
    'ws/live-client-message': LiveClientMessage,
    'ws/live-server-message': LiveServerMessage,
    'http/group-definition': GroupDefinition,
  };
  for (const t of KAFKA_TOPICS) schemas[`kafka/${t.name}`] = t.value;
  for (const [name, schema] of Object.entries(schemas)) {
    files[`schemas/${name}.schema.json`] = `${JSON.stringify(toJsonSchemaDocument(schema), null, 2)}\n`;
  }
  files['asyncapi.yaml'] = toYaml(buildAsyncApi());
  return files;
}
