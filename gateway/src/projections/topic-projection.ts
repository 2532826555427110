import { compile, type KafkaTopicContract } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';

/**
 * A projection every gateway replica keeps whole: a `TopicReader` (no consumer group, so each
 * replica reads every record) over one topic from the beginning, each value checked against its
 * contract. `ready` once the topic as it was at start has been read.
 */
export class TopicProjection {
  private readonly reader: TopicReader;
  private caughtUp = false;

  constructor(
    kafka: KafkaClient,
    topic: KafkaTopicContract,
    name: string,
    private readonly logger: Logger,
    /** Gets values that passed the topic's contract. */
    apply: (value: unknown) => void,
  ) {
    const check = compile(topic.value);
    this.reader = new TopicReader(kafka, topic.name, name, logger, (_key, value) => {
      if (!value) return;
      const r = check.validate(JSON.parse(value.toString('utf8')));
      if (r.ok) apply(r.value);
      else logger.warn({ topic: topic.name, err: r.error.message }, 'record skipped');
    });
  }

  async start(timeoutMs: number): Promise<void> {
    await this.reader.start();
    this.caughtUp = await this.reader.caughtUp(timeoutMs);
    if (!this.caughtUp) {
      this.logger.warn({ topic: this.reader.topic }, 'projection not caught up yet; not ready until it is');
      void this.reader.caughtUp(600_000).then((ok) => {
        this.caughtUp = ok;
      });
    }
  }

  readiness = (): true | string => this.caughtUp || `still reading ${this.reader.topic}`;

  stop(): Promise<void> {
    return this.reader.stop();
  }
}
