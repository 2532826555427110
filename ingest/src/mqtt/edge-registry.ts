import { compile, EdgeUpdated, kafkaTopics } from '@wattstream/contracts';
import { TopicReader } from '@wattstream/kernel';
import type { KafkaClient, Logger } from '@wattstream/platform';

const validate = compile(EdgeUpdated);

interface EdgeStanding {
  revoked: boolean;
  credentialId: string | null;
}

/**
 * What the users service says about each registered edge (`user.edge.updated`, compacted, read
 * whole by every ingest replica): whether it is revoked and which credential (`jti`) is its one
 * valid credential. Edges users never registered (credentials from the development `ingest token`)
 * are not here and are judged by their signature alone.
 */
export class EdgeRegistry {
  private readonly edges = new Map<string, EdgeStanding>();
  private readonly listeners: ((edgeId: string) => void)[] = [];
  private reader: TopicReader | undefined;
  invalid = 0;

  /** Why a credential of `edgeId` with this `jti` must be refused, or undefined when it is fine. */
  refusal(edgeId: string, jti: unknown): string | undefined {
    const e = this.edges.get(edgeId);
    if (!e) return undefined;
    if (e.revoked) return 'this edge was revoked by its owner';
    if (e.credentialId !== null && e.credentialId !== jti) return 'this credential was replaced by a newer one';
    return undefined;
  }

  /** Called with the edge id whenever an edge's standing changes. */
  onChange(listener: (edgeId: string) => void): void {
    this.listeners.push(listener);
  }

  apply(edgeId: string, value: Buffer | null): void {
    if (value === null) {
      this.edges.delete(edgeId);
      return;
    }
    const r = validate.validateJson(value);
    if (!r.ok || r.value.edgeId !== edgeId) {
      this.invalid++;
      return;
    }
    this.edges.set(edgeId, { revoked: r.value.revoked, credentialId: r.value.credentialId });
    for (const l of this.listeners) l(edgeId);
  }

  /** Follows the topic; resolves once what was there at start has been read (or after 10 s). */
  async start(kafka: KafkaClient, instance: string, logger: Logger): Promise<boolean> {
    this.reader = new TopicReader(
      kafka,
      kafkaTopics.edgeUpdated.name,
      `ingest-edges-${instance}`,
      logger,
      (key, value) => this.apply(key, value),
    );
    await this.reader.start();
    return this.reader.caughtUp(10_000);
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
  }
}
