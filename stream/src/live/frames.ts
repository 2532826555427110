/**
 * The one encoder of every frame the live server sends (`LiveServerMessage` of the contract):
 * `subscribed`, `stats`, `leaderboard`, `notification`, `error`. Stats and leaderboards arrive already serialised
 * (from Kafka, or computed once per group), so a frame is built by splicing that JSON into a fixed
 * envelope — encoded once per update and shared by every subscriber. The contract test
 * (stream/test/frames.test.ts) validates every shape against the schemas.
 */
const str = JSON.stringify;

export const frames = {
  stats(channel: string, seq: number, data: string, traceparent?: string): Buffer {
    const trace = traceparent === undefined ? '' : `,"traceparent":"${traceparent}"`;
    return Buffer.from(`{"type":"stats","channel":${str(channel)},"seq":${seq},"data":${data}${trace}}`);
  },
  leaderboard(channel: string, seq: number, data: string): Buffer {
    return Buffer.from(`{"type":"leaderboard","channel":${str(channel)},"seq":${seq},"data":${data}}`);
  },
  /** A notification for channel `user:<id>` (`data`: the `notifications.live` record's JSON). */
  notification(channel: string, data: string): Buffer {
    return Buffer.from(`{"type":"notification","channel":${str(channel)},"data":${data}}`);
  },
  /** The snapshot (latest state, or null) and, for a `since` replay, how many frames follow. */
  subscribed(
    channel: string,
    snapshot: string | null | undefined,
    seq: number | null | undefined,
    replay?: { replayed: number; gap: boolean },
  ): Buffer {
    const head = `{"type":"subscribed","channel":${str(channel)},"snapshot":${snapshot ?? 'null'},"seq":${seq ?? 'null'}`;
    return Buffer.from(replay ? `${head},"replayed":${replay.replayed},"gap":${replay.gap}}` : `${head}}`);
  },
  error(code: string, message: string, channel?: string): Buffer {
    return Buffer.from(
      str(channel === undefined ? { type: 'error', code, message } : { type: 'error', code, message, channel }),
    );
  },
};
