/** Error codes of the edge agent (listed in edge/README.md and docs/errors.md). */
export const EdgeErrorCode = {
  DecodeTruncated: 'WS_EDGE_DECODE_TRUNCATED',
  DecodeUnsupported: 'WS_EDGE_DECODE_UNSUPPORTED',
  DecodeUnknownProfile: 'WS_EDGE_DECODE_UNKNOWN_PROFILE',
  SensorId: 'WS_EDGE_SENSOR_ID',
  SensorNotPaired: 'WS_EDGE_SENSOR_NOT_PAIRED',
  PairingsCorrupt: 'WS_EDGE_PAIRINGS_CORRUPT',
  BleUnavailable: 'WS_EDGE_BLE_UNAVAILABLE',
  BleConnectTimeout: 'WS_EDGE_BLE_CONNECT_TIMEOUT',
  AntNoStick: 'WS_EDGE_ANT_NO_STICK',
  QueueFull: 'WS_EDGE_QUEUE_FULL',
  MqttRefused: 'WS_EDGE_MQTT_REFUSED',
  FitInvalid: 'WS_EDGE_FIT_INVALID',
  HexInvalid: 'WS_EDGE_HEX_INVALID',
  CommandInvalid: 'WS_EDGE_COMMAND_INVALID',
  CommandUnsupported: 'WS_EDGE_COMMAND_UNSUPPORTED',
} as const;
export type EdgeErrorCode = (typeof EdgeErrorCode)[keyof typeof EdgeErrorCode];
