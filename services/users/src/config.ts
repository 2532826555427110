import { DEFAULT_SERVICE_PORTS, duration, optionalStr, port, sharedConfig } from '@wattstream/platform';

export const usersPort = port('USERS_PORT', {
  default: DEFAULT_SERVICE_PORTS.users,
  allowZero: true,
  description: 'HTTP: the REST API, /.well-known/jwks.json, /metrics, /healthz, /readyz',
});

export const usersConfig = {
  dataDir: sharedConfig.dataDir,
  accessTtl: duration('USERS_ACCESS_TTL', {
    default: '15m',
    min: 60_000,
    max: 86_400_000,
    description: 'lifetime of an access token',
  }),
  refreshTtl: duration('USERS_REFRESH_TTL', {
    default: '30d',
    min: 60_000,
    description: 'lifetime of a refresh token (each use issues a new one)',
  }),
  edgeCredentialTtl: duration('USERS_EDGE_CREDENTIAL_TTL', {
    default: '365d',
    min: 60_000,
    description: "lifetime of an edge's MQTT credential",
  }),
  keySecret: optionalStr(
    'USERS_KEY_SECRET',
    'base64 of 32 random bytes that encrypts the token signing keys at rest (default: a development secret under DATA_DIR)',
  ),
  keyRetention: duration('USERS_KEY_RETENTION', {
    default: '366d',
    min: 60_000,
    description:
      'how long a replaced signing key stays in the JWKS, so tokens and edge credentials it signed stay valid (≥ USERS_EDGE_CREDENTIAL_TTL)',
  }),
};
