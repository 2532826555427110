import type { Logger } from '@wattstream/platform';
import type { Client } from 'aedes';

/** What ingest knows about an authenticated connection. */
export interface EdgeSession {
  readonly edgeId: string;
  /** The credential's `jti` (users-issued credentials have one). */
  readonly credentialId: string | undefined;

  readonly athletes: ReadonlySet<string>;
  readonly logger: Logger;
  /** Aborted when the connection closes: publishes still waiting for admission give up. */
  readonly closed: AbortSignal;
}

/** What CONNECT said, kept from `preConnect` for `authenticate`, which only sees credentials. */
export interface ConnectInfo {
  clientIdEmpty: boolean;
  willTopic: string | undefined;
  willPayload: Buffer | string | undefined;
  keepaliveRequested: number;
}

const sessions = new WeakMap<Client, EdgeSession>();
const connects = new WeakMap<Client, ConnectInfo>();

export const getSession = (client: Client): EdgeSession | undefined => sessions.get(client);
export const setSession = (client: Client, s: EdgeSession): void => void sessions.set(client, s);
export const getConnectInfo = (client: Client): ConnectInfo | undefined => connects.get(client);
export const setConnectInfo = (client: Client, c: ConnectInfo): void => void connects.set(client, c);

/** setTimeout cannot wait longer than 2^31-1 ms (~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Disconnects the client when its token expires, so a revoked-by-expiry edge cannot keep a
 * connection open forever; it must reconnect with a fresh token (its persistent session and
 * queued messages survive). Returns a function that cancels the timer.
 */
export function scheduleExpiry(expiresAt: number, onExpire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = expiresAt - Date.now();
    if (wait <= 0) return onExpire();
    timer = setTimeout(wait > MAX_TIMER_MS ? arm : onExpire, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
