import { isValidId } from '@wattstream/contracts';
import {
  authConfig,
  type ConfigOf,
  type Logger,
  loadTokenKeys,
  parseDuration,
  sharedConfig,
  signToken,
  TOKEN_AUDIENCE,
  WattstreamError,
} from '@wattstream/platform';

export const tokenConfig = { dataDir: sharedConfig.dataDir, ...authConfig };

export interface MintOptions {
  edge: string;
  athletes: string[];
  /** e.g. `30d`, `12h`. */
  ttl: string;
}

/**
 * Mints an edge token: `sub` = edgeId, `athletes` = the athletes this edge may publish for,
 * audience `wattstream:edge`, signed with the configured key (or the development key under
 * DATA_DIR, the same one `serve` verifies with).
 */
export async function mintEdgeToken(
  cfg: ConfigOf<typeof tokenConfig>,
  o: MintOptions,
  logger?: Logger,
): Promise<string> {
  const bad = [o.edge, ...o.athletes].filter((id) => !isValidId(id));
  if (bad.length > 0) {
    throw new WattstreamError('WS_CONFIG_INVALID', `not a valid id (1–64 chars of [A-Za-z0-9_-]): ${bad.join(', ')}`);
  }
  if (o.athletes.length === 0) {
    throw new WattstreamError('WS_CONFIG_INVALID', 'at least one --athlete is required');
  }
  const ttlMs = parseDuration(o.ttl);
  if (ttlMs === undefined || ttlMs < 1000) {
    throw new WattstreamError('WS_CONFIG_INVALID', `--ttl must be a duration such as 30d or 12h; got ${o.ttl}`);
  }
  const keys = loadTokenKeys(cfg, cfg.dataDir, logger);
  return signToken(keys, {
    subject: o.edge,
    audience: TOKEN_AUDIENCE.edge,
    ttlMs,
    claims: { athletes: [...new Set(o.athletes)] },
  });
}
