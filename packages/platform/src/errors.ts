import { WattstreamError } from '@wattstream/contracts';

export { isWattstreamError, WattstreamError } from '@wattstream/contracts';

/** Codes raised by the platform library. */
export const PlatformErrorCode = {
  ConfigInvalid: 'WS_CONFIG_INVALID',
  KafkaUnavailable: 'WS_KAFKA_UNAVAILABLE',
  QuestDbUnavailable: 'WS_QUESTDB_UNAVAILABLE',
  QuestDbSql: 'WS_QUESTDB_SQL',
  ShutdownTimeout: 'WS_SHUTDOWN_TIMEOUT',
} as const;

export function configError(problems: string[]): WattstreamError {
  const list = problems.map((p) => `  - ${p}`).join('\n');
  return new WattstreamError(
    PlatformErrorCode.ConfigInvalid,
    `invalid configuration (fix the environment variable or flag named below):\n${list}`,
    { details: { problems } },
  );
}
