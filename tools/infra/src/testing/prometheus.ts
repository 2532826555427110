import { rmSync } from 'node:fs';
import { freePort } from '../free-port.js';
import { PrometheusNode, type ScrapeJob } from '../prometheus-node.js';
import { tempDir } from './temp.js';

export interface TestPrometheus {
  node: PrometheusNode;
  /** `http://127.0.0.1:<port>` */
  url: string;
  dir: string;
  /** An instant query; the `data.result` array of the answer (throws on a query error). */
  query(promql: string): Promise<PromSample[]>;
  destroy(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant query against a Prometheus HTTP API. Throws with Prometheus' own message on a bad query. */
export async function promQuery(url: string, promql: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? res.status}`);
  return body.data?.result ?? [];
}

/** A private Prometheus (Debian's package) for one test file, scraping and evaluating every second by default. */
export async function startPrometheus(
  opts: { jobs?: ScrapeJob[]; ruleFiles?: string[]; interval?: string } = {},
): Promise<TestPrometheus> {
  const dir = tempDir('prometheus');
  const node = new PrometheusNode({ dir, port: await freePort(), interval: opts.interval ?? '1s', ...opts });
  await node.start();
  return {
    node,
    url: node.url,
    dir,
    query: (promql) => promQuery(node.url, promql),
    destroy: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
