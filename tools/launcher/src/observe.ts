import { join } from 'node:path';
import { PrometheusNode, type ScrapeJob, ZipkinNode } from '@wattstream/infra';
import { RULES_FILE, writeRules } from '@wattstream/observability';

export interface ObserveOptions {
  /** Parent of the instance folders `prometheus/` (config, throwaway TSDB) and `zipkin/`, each with its log and pid file. */
  dir: string;
  port: number;
  intervalMs: number;
  /** Short `for` of SinkLag and TargetDown (empty: the committed rule file). */
  alertFor: string;
  /** Zipkin's port: the trace backend every service sends its spans to. */
  zipkinPort: number;
  /** Share of new traces recorded (the edge's batches; every later hop follows its caller). */
  traceRatio: number;
  /** One job per service of the main job: its name and its `/metrics` address. */
  targets: { job: string; target: string }[];
  log?: (msg: string) => void;
}

/** A Prometheus duration from milliseconds (`5000` → `5s`, `1500` → `1500ms`). */
const promDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * `pnpm pipeline up --observe`: Debian's Prometheus scraping every service of the main job, with
 * the rules of observability/ loaded, and Zipkin receiving every service's spans. Idempotent: when
 * Prometheus already runs, the config is rewritten and reloaded (a service added since is scraped
 * from then on).
 */
export class Observer {
  readonly node: PrometheusNode;
  readonly zipkin: ZipkinNode;

  constructor(readonly opts: ObserveOptions) {
    this.zipkin = new ZipkinNode({ dir: join(opts.dir, 'zipkin'), port: opts.zipkinPort, log: opts.log });
    this.node = new PrometheusNode({
      dir: join(opts.dir, 'prometheus'),
      port: opts.port,
      interval: promDuration(opts.intervalMs),
      jobs: this.jobs(),
      ruleFiles: [this.ruleFile()],
      log: opts.log,
    });
  }

  private jobs(): ScrapeJob[] {
    return this.opts.targets.map((t) => ({ job: t.job, targets: [t.target] }));
  }

  /** The committed rules, or a copy with a short `for` for the sink and dead-target alerts. */
  private ruleFile(): string {
    if (!this.opts.alertFor) return RULES_FILE;
    const t = this.opts.alertFor;
    return writeRules(join(this.opts.dir, 'prometheus', 'wattstream.rules.yml'), {
      timings: { sinkLag: t, targetDown: t },
    });
  }

  get url(): string {
    return this.node.url;
  }

  /** What every service needs to send its spans to this Zipkin (see packages/platform tracing). */
  tracingEnv(): Record<string, string> {
    return {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: this.zipkin.spansEndpoint,
      OTEL_TRACES_SAMPLER_ARG: String(this.opts.traceRatio),
    };
  }

  /** Starts Zipkin unless it runs; its URL. Services started after this trace into it. */
  async startTracing(): Promise<string> {
    await this.zipkin.start();
    return this.zipkin.url;
  }

  /** Starts Prometheus (or reloads the running one); its URL. */
  async up(): Promise<string> {
    if (this.node.service.runningPid() !== undefined) {
      await this.node.reload({ jobs: this.jobs(), ruleFiles: [this.ruleFile()] });
    } else {
      await this.node.start();
    }
    return this.url;
  }

  running(): boolean {
    return this.node.service.runningPid() !== undefined;
  }

  tracing(): boolean {
    return this.zipkin.service.runningPid() !== undefined;
  }

  /** Stops Prometheus and Zipkin; the names of those that ran. */
  async down(): Promise<string[]> {
    const stopped: string[] = [];
    if (await this.node.stop()) stopped.push('prometheus');
    if (await this.zipkin.stop()) stopped.push('zipkin');
    return stopped;
  }
}
