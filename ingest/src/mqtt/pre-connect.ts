import type { AedesOptions } from 'aedes';
import { setConnectInfo } from './session.js';

export interface KeepaliveBounds {
  /** Seconds. */
  min: number;
  /** Seconds. */
  max: number;
}

/**
 * Keep Alive bounds. MQTT 3.1.1 has no way to tell a client another Keep Alive (MQTT 5's Server
 * Keep Alive), so the bound applies to the server side only: the server drops a client that is
 * silent for 1.5× the effective value [MQTT-3.1.2-24]. A Keep Alive of 0 (no timeout at all,
 * [MQTT-3.1.2-10]) or above `max` becomes `max`; below `min` becomes `min`, which is harmless
 * to the client (it pings more often than the server requires).
 */
export function effectiveKeepalive(requested: number, bounds: KeepaliveBounds): number {
  if (requested === 0 || requested > bounds.max) return bounds.max;
  return Math.max(requested, bounds.min);
}

/** aedes `preConnect`: runs before the CONNECT is processed. Records what `authenticate` needs. */
export function createPreConnect(bounds: KeepaliveBounds): NonNullable<AedesOptions['preConnect']> {
  return (client, packet, done) => {
    setConnectInfo(client, {
      // [MQTT-3.1.3-8] a zero-byte ClientId; refused in authenticate with return code 2.
      clientIdEmpty: !packet.clientId,
      willTopic: packet.will?.topic,
      willPayload: packet.will?.payload,
      keepaliveRequested: packet.keepalive ?? 0,
    });
    packet.keepalive = effectiveKeepalive(packet.keepalive ?? 0, bounds);
    done(null, true);
  };
}
