import { WattstreamError } from '@wattstream/platform';

/** Codes raised by the gateway, listed in docs/errors.md. */
export const GatewayErrorCode = {
  /** The route table file is unreadable or does not match the schema: the previous table stays. */
  RoutesInvalid: 'WS_GATEWAY_ROUTES_INVALID',
  /** A request path with `..`, an encoded slash or another shape no route may see. */
  PathInvalid: 'WS_GATEWAY_PATH_INVALID',
  /** Per-user, per-IP or per-route budget used up (429 with Retry-After). */
  RateLimited: 'WS_GATEWAY_RATE_LIMITED',
  /** The service behind the route did not answer (502), is not reachable (503) or too slow (504). */
  UpstreamUnavailable: 'WS_GATEWAY_UPSTREAM_UNAVAILABLE',
  UpstreamTimeout: 'WS_GATEWAY_UPSTREAM_TIMEOUT',
  /** The client took longer than GATEWAY_BODY_TIMEOUT to send its body (408; slow clients). */
  BodyTimeout: 'WS_GATEWAY_BODY_TIMEOUT',
  /** A JSON body nested deeper than GATEWAY_MAX_JSON_DEPTH. */
  BodyTooDeep: 'WS_GATEWAY_BODY_TOO_DEEP',
  /** The identity signing key (GATEWAY_IDENTITY_KEY) is not a readable Ed25519 PKCS#8 PEM. */
  IdentityKeyInvalid: 'WS_GATEWAY_IDENTITY_KEY_INVALID',
} as const;
export type GatewayErrorCode = (typeof GatewayErrorCode)[keyof typeof GatewayErrorCode];

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  opts: { statusCode?: number; cause?: unknown; details?: Record<string, unknown> } = {},
): WattstreamError {
  return new WattstreamError(code, message, opts);
}
