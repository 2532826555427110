import { compile, liveChannel, NotificationLive } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';
import { frames } from './frames.js';

const validator = compile(NotificationLive);

/**
 * Follows `notifications.live` and pushes each record to the open sockets subscribed to
 * `user:<userId>`, as a `notification` frame. Records read while catching up at start are old
 * news and are not delivered; nothing is kept for later subscribers.
 */
export class NotificationFeed {
  private readonly reader: TopicReader;
  private live = false;
  /** records skipped as malformed */
  bad = 0;
  delivered = 0;

  constructor(
    kafka: KafkaClient,
    topic: string,
    name: string,
    private readonly sink: { deliver(channel: string, frame: Buffer): number },
    logger: Logger,
  ) {
    this.reader = new TopicReader(kafka, topic, name, logger, (key, value) => {
      if (value === null || !this.live) return;
      const r = validator.validateJson(value);
      if (!r.ok) {
        this.bad++;
        logger.warn({ key }, 'notifications.live record ignored: not the contract');
        return;
      }
      const channel = liveChannel.user(r.value.userId);
      this.delivered += this.sink.deliver(channel, frames.notification(channel, JSON.stringify(r.value)));
    });
  }

  /** Starts following; resolves once the backlog is read (false after 10 s), then delivers. */
  async start(): Promise<boolean> {
    await this.reader.start();
    const read = await this.reader.caughtUp(10_000);
    this.live = true;
    return read;
  }

  async stop(): Promise<void> {
    await this.reader.stop();
  }
}
