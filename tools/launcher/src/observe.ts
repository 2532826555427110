import { join } from 'node:path';
import { PrometheusNode, type ScrapeJob } from '@wattstream/infra';
import { RULES_FILE, writeRules } from '@wattstream/observability';

export interface ObserveOptions {
  /** Instance folder (config, throwaway TSDB, log, pid file). */
  dir: string;
  port: number;
  intervalMs: number;
  /** Short `for` of SinkLag and TargetDown (empty: the committed rule file). */
  alertFor: string;
  /** One job per service of the main job: its name and its `/metrics` address. */
  targets: { job: string; target: string }[];
  log?: (msg: string) => void;
}

/** A Prometheus duration from milliseconds (`5000` → `5s`, `1500` → `1500ms`). */
const promDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * `pnpm pipeline up --observe`: Debian's Prometheus scraping every service of the main job, with
 * the rules of observability/ loaded. Idempotent: when it already runs, the config is rewritten
 * and reloaded (a service added since is scraped from then on).
 */
export class Observer {
  readonly node: PrometheusNode;

  constructor(readonly opts: ObserveOptions) {
    this.node = new PrometheusNode({
      dir: opts.dir,
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
    return writeRules(join(this.opts.dir, 'wattstream.rules.yml'), { timings: { sinkLag: t, targetDown: t } });
  }

  get url(): string {
    return this.node.url;
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

  down(): Promise<boolean> {
    return this.node.stop();
  }
}
