import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, request } from 'undici';

/** Headers of every delivery; receivers verify `Wattstream-Signature` (see the README). */
export const WEBHOOK_HEADERS = {
  id: 'wattstream-id',
  timestamp: 'wattstream-timestamp',
  signature: 'wattstream-signature',
} as const;

/** How old a delivery's timestamp may be when a receiver checks it (documented replay window). */
export const WEBHOOK_REPLAY_WINDOW_S = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` */
export function signatureHeader(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** Loopback, private, link-local, CGNAT, multicast or IPv4-mapped: never a webhook target in production (SSRF). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is checked as the IPv4 address it names.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL cannot be a webhook endpoint, or undefined when it can. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'only http and https URLs are allowed';
  if (u.username || u.password) return 'credentials in the URL are not allowed (the signature authenticates us)';
  if (u.hash) return 'a URL fragment is never sent: remove it';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) {
    return 'private, loopback and link-local addresses are not allowed';
  }
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that refuses names resolving to private addresses (checked at connect time, so rebinding cannot pass). */
function guardedLookup(hostname: string, options: LookupOptions, cb: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, '');
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const e = new Error(`${hostname} resolves to a private address (${bad.address})`) as NodeJS.ErrnoException;
      e.code = 'EPRIVATEADDRESS';
      return cb(e, '');
    }
    if (options.all) return cb(null, list);
    const first = list[0];
    if (!first) return cb(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '');
    return cb(null, first.address, first.family);
  });
}

export type WebhookResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * POSTs signed deliveries with undici: connect, headers and body each bounded by `timeoutMs`, the
 * whole request too (an endpoint that accepts the connection and never answers costs one slot
 * for `timeoutMs`, nothing more); redirects are not followed; the answer's body is discarded.
 */
export class WebhookSender {
  private readonly agent: Agent;

  constructor(private readonly o: { timeoutMs: number; allowPrivate: boolean; perEndpoint: number }) {
    this.agent = new Agent({
      connections: o.perEndpoint,
      connect: { timeout: o.timeoutMs, ...(o.allowPrivate ? {} : { lookup: guardedLookup }) },
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  async send(url: string, secret: string, id: string, body: string, now = Date.now()): Promise<WebhookResult> {
    const problem = webhookUrlProblem(url, this.o.allowPrivate);
    if (problem) return { ok: false, status: null, error: `refused: ${problem}` };
    const t = Math.floor(now / 1000);
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'wattstream-notifications/1',
          [WEBHOOK_HEADERS.id]: id,
          [WEBHOOK_HEADERS.timestamp]: String(t),
          [WEBHOOK_HEADERS.signature]: signatureHeader(secret, t, body),
        },
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, status: res.statusCode };
      return { ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}` };
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string };
      const what = e.name === 'TimeoutError' ? `timed out after ${this.o.timeoutMs} ms` : (e.message ?? String(err));
      return { ok: false, status: null, error: `${e.code ?? e.name ?? 'ERROR'}: ${what}`.slice(0, 500) };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
