import type { Logger } from '@wattstream/platform';
import type { AedesOptions } from 'aedes';
import { IngestErrorCode } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import { canSubscribe } from './acl.js';
import { getSession } from './session.js';

/**
 * aedes `authorizeSubscribe`: an edge may subscribe to `v1/errors/{edgeId}` and
 * `v1/commands/{edgeId}` only. Anything else gets the SUBACK failure return code 0x80
 * [MQTT-3.9.3-2]; the other filters of the same SUBSCRIBE are unaffected.
 */
export function createAuthorizeSubscribe(deps: {
  metrics: IngestMetrics;
  logger: Logger;
}): NonNullable<AedesOptions['authorizeSubscribe']> {
  return (client, sub, callback) => {
    const session = getSession(client);
    if (session && canSubscribe(session.edgeId, sub.topic)) return callback(null, sub);
    deps.metrics.rejected.inc({ reason: IngestErrorCode.NotAuthorized });
    (session?.logger ?? deps.logger).warn(
      { filter: sub.topic, code: IngestErrorCode.NotAuthorized },
      'subscription refused (0x80): edges subscribe only to their own errors and commands topics',
    );
    callback(null, null);
  };
}
