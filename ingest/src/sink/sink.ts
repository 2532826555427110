import { setTimeout as delay } from 'node:timers/promises';
import { Sender } from '@questdb/nodejs-client';
import { kafkaTopics, type MetricsReceived, TOPIC, TRACKING_METRICS_DDL } from '@wattstream/contracts';
import { defineService, type RunningService, type ServiceContext, startService } from '@wattstream/kernel';
import { createConsumer, type EachBatchPayload, questdbExec, type Registry } from '@wattstream/platform';
import { type SinkConfig, sinkConfig } from '../config.js';
import { IngestErrorCode } from '../errors.js';
import { createSinkMetrics, type SinkMetrics } from '../metrics.js';
import { bufferRows, parseReceived } from './rows.js';

export interface SinkParts {
  readonly metrics: SinkMetrics;
  /** Records between the committed offset and the end of each partition (polled). */
  lag(): Promise<Record<number, number>>;
}

/** Rows per ILP/HTTP request (one transaction); a Kafka batch is written in chunks of this. */
const MAX_ROWS_PER_WRITE = 50_000;
const LAG_POLL_MS = 5000;

/** The ILP/HTTP configuration string of `@questdb/nodejs-client` for QUESTDB_HTTP. */
export function senderConfig(questdbHttp: string, requestTimeoutMs: number): string {
  const u = new URL(questdbHttp);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  const port = u.port || (scheme === 'https' ? '443' : '80');
  // The client's own retries are kept short: the sink retries a whole chunk itself, with backoff,
  // heartbeating the consumer group meanwhile. stdlib_http: the default undici transport retries
  // ECONNREFUSED forever (its RetryAgent ignores retry_timeout), so a flush to a stopped QuestDB
  // never returned; the node:http transport fails fast and honours retry_timeout.
  return `${scheme}::addr=${u.hostname}:${port};auto_flush=off;stdlib_http=on;request_timeout=${requestTimeoutMs};retry_timeout=1000;`;
}

/**
 * `ingest sink`: its own consumer group on `tracking.metrics.received`, one row per sample into
 * `tracking_metrics` over ILP/HTTP, Kafka offsets committed only after QuestDB accepted the rows.
 * While QuestDB is down the chunk is retried with backoff (the offset does not move, lag grows);
 * afterwards the sink catches up. Replays write the same rows again, which the table's
 * `DEDUP UPSERT KEYS(ts, athlete_id, device_id)` makes harmless. It serves `/healthz` from the
 * start; it is ready once the table exists and the group is joined.
 */
export const sinkService = defineService({
  name: 'ingest-sink',
  description: 'tracking.metrics.received → QuestDB tracking_metrics, offsets committed after QuestDB accepts',
  port: sinkConfig.httpPort,
  instance: sinkConfig.instance,
  config: sinkConfig,
  kafka: true,
  async start(ctx: ServiceContext<SinkConfig>): Promise<SinkParts> {
    const { config, logger } = ctx;
    const metrics = createSinkMetrics(ctx.registry);
    let running = true;
    let questdbOk = false;
    ctx.readiness.add('questdb', () => (questdbOk ? true : 'QuestDB not accepting writes'));

    // The table first: a table auto-created by ILP would have no DEDUP.
    const createTable = async () => {
      for (let backoff = 200; running; backoff = Math.min(backoff * 2, config.retryMax)) {
        try {
          await questdbExec(config.questdbHttp, TRACKING_METRICS_DDL);
          questdbOk = true;
          break;
        } catch (err) {
          logger.warn(
            { err: (err as Error).message, retryInMs: backoff },
            'cannot create tracking_metrics yet; retrying',
          );
          await delay(backoff);
        }
      }
      metrics.questdbUp.set(1);
    };

    const sender = await Sender.fromConfig(senderConfig(config.questdbHttp, config.requestTimeout));
    await ctx.kafka.ensureTopics([kafkaTopics.metricsReceived]);
    const consumer = createConsumer(ctx.kafka.client, { groupId: config.group });
    const admin = await ctx.kafka.admin();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      logger.error({ err: e.payload.error, restart: e.payload.restart }, 'sink consumer crashed');
    });
    ctx.readiness.add('kafka-group', () => (joined ? true : 'consumer group not joined'));

    /** Writes the rows of `batches`, retrying until QuestDB accepts them; false if stopped meanwhile. */
    const writeRows = async (batches: MetricsReceived[], heartbeat: () => Promise<void>, isRunning: () => boolean) => {
      let backoff = 200;
      for (let attempt = 1; ; attempt++) {
        sender.reset();
        let rows = 0;
        for (const b of batches) rows += await bufferRows(sender, b);
        if (rows === 0) return 0;
        const started = performance.now();
        try {
          await sender.flush();
          metrics.writeSeconds.observe((performance.now() - started) / 1000);
          if (!questdbOk) logger.info({ attempts: attempt }, 'QuestDB accepts rows again; catching up');
          questdbOk = true;
          metrics.questdbUp.set(1);
          return rows;
        } catch (err) {
          sender.reset();
          metrics.writeFailures.inc();
          metrics.questdbUp.set(0);
          if (questdbOk || attempt % 10 === 0) {
            logger.error(
              { err: (err as Error).message, rows, attempts: attempt, code: IngestErrorCode.SinkWriteFailed },
              'QuestDB write failed; offsets not committed, retrying with backoff',
            );
          }
          questdbOk = false;
          // Sleep in slices, heartbeating, so the group does not evict a consumer that only waits.
          const until = Date.now() + backoff;
          while (Date.now() < until) {
            if (!isRunning() || !running) return undefined;
            await delay(Math.min(1000, until - Date.now()));
            try {
              await heartbeat();
            } catch {
              return undefined; // rebalance: the partition may move; whoever gets it resumes from the commit
            }
          }
          backoff = Math.min(backoff * 2, config.retryMax);
        }
      }
    };

    const eachBatch = async ({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) => {
      const msgs = batch.messages;
      let i = 0;
      while (i < msgs.length) {
        if (!isRunning() || isStale() || !running) return;
        const parsed: MetricsReceived[] = [];
        let rows = 0;
        let j = i;
        while (j < msgs.length && rows < MAX_ROWS_PER_WRITE) {
          const m = msgs[j++]!;
          const v = parseReceived(m.value);
          if (v) {
            parsed.push(v);
            rows += v.samples.length;
          } else {
            metrics.badRecords.inc();
            logger.warn(
              { partition: batch.partition, offset: m.offset, code: IngestErrorCode.SinkBadRecord },
              'skipping a record that is not a MetricsReceived',
            );
          }
        }
        const written = await writeRows(parsed, heartbeat, isRunning);
        if (written === undefined) return;
        const last = msgs[j - 1]!.offset;
        resolveOffset(last);
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        metrics.records.inc(j - i);
        metrics.rows.inc(written);
        metrics.lag.set(
          { partition: String(batch.partition) },
          Math.max(0, Number(batch.highWatermark) - Number(last) - 1),
        );
        i = j;
      }
    };

    // In the background: the HTTP endpoint answers while QuestDB is still coming up.
    const running$ = (async () => {
      await createTable();
      if (!running) return;
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC.metricsReceived, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      logger.info({ group: config.group, topic: TOPIC.metricsReceived }, 'sink running');
    })().catch((err: unknown) => logger.error({ err }, 'sink could not start consuming'));

    const lag = async (): Promise<Record<number, number>> => {
      const [committed] = await admin.fetchOffsets({ groupId: config.group, topics: [TOPIC.metricsReceived] });
      const ends = await admin.fetchTopicOffsets(TOPIC.metricsReceived);
      const out: Record<number, number> = {};
      for (const e of ends) {
        const c = committed?.partitions.find((p) => p.partition === e.partition);
        const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(e.low);
        out[e.partition] = Math.max(0, Number(e.high) - at);
      }
      return out;
    };
    const lagTimer = setInterval(() => {
      lag().then(
        (l) => {
          for (const [p, n] of Object.entries(l)) metrics.lag.set({ partition: p }, n);
        },
        (err: unknown) => logger.debug({ err }, 'lag poll failed'),
      );
    }, LAG_POLL_MS);
    lagTimer.unref();

    ctx.onShutdown('intake', 'sink consumer', async () => {
      running = false;
      clearInterval(lagTimer);
      await running$;
      // Offsets are committed after every accepted write, so stopping the consumer is the flush.
      await consumer.stop();
    });
    ctx.onShutdown('close', 'sink clients', async () => {
      await consumer.disconnect().catch(() => {});
      await sender.close().catch(() => {});
    });
    return { metrics, lag };
  },
});

export type Sink = RunningService<SinkConfig, SinkParts> &
  SinkParts & { readonly registry: Registry; close(): Promise<void> };

/** Starts `ingest sink` in this process (tests, benchmarks). */
export async function startSink(env: Record<string, string | undefined>): Promise<Sink> {
  const svc = await startService(sinkService, { env });
  const stop = svc.stop;
  return Object.assign(svc, svc.result, { registry: svc.ctx.registry, close: () => stop('close') });
}
