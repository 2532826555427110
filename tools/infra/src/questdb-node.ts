import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { questdbPing } from '@wattstream/platform';
import { ManagedProcess } from './managed-process.js';
import { javaBinary } from './prereqs.js';
import { provision } from './provision.js';

export interface QuestDbNodeOptions {
  dir: string;
  httpPort: number;
  pgPort: number;
  ilpTcpPort: number;
  httpMinPort: number;
  heap?: string;
  java?: string;
  log?: (msg: string) => void;
}

/**
 * QuestDB from its Maven Central jar (native libraries inside, unpacked into a tmp folder of
 * ours). Settings go in as `QDB_*` environment variables; readiness is `GET /ping` → 204.
 */
export class QuestDbNode {
  readonly service: ManagedProcess;
  readonly httpUrl: string;
  readonly pg: string;

  constructor(readonly opts: QuestDbNodeOptions) {
    this.httpUrl = `http://127.0.0.1:${opts.httpPort}`;
    this.pg = `127.0.0.1:${opts.pgPort}`;
    this.service = new ManagedProcess({
      name: 'questdb',
      dir: opts.dir,
      command: opts.java ?? javaBinary(),
      args: [],
      env: {
        QDB_HTTP_BIND_TO: `127.0.0.1:${opts.httpPort}`,
        QDB_HTTP_MIN_BIND_TO: `127.0.0.1:${opts.httpMinPort}`,
        QDB_PG_NET_BIND_TO: `127.0.0.1:${opts.pgPort}`,
        QDB_LINE_TCP_NET_BIND_TO: `127.0.0.1:${opts.ilpTcpPort}`,
        QDB_LINE_UDP_ENABLED: 'false',
        QDB_TELEMETRY_ENABLED: 'false',
        QDB_HTTP_QUERY_CACHE_ENABLED: 'true',
      },
      ready: () => questdbPing(this.httpUrl, 1000),
      startTimeoutMs: 120_000,
    });
  }

  async start(): Promise<void> {
    if (this.service.runningPid() !== undefined) return;
    const lib = await provision('questdb', this.opts.log);
    const root = join(this.opts.dir, 'root');
    const tmp = join(this.opts.dir, 'tmp');
    mkdirSync(root, { recursive: true }); // QuestDB refuses a missing root
    mkdirSync(tmp, { recursive: true });
    this.service.spec.args = [
      `-Xmx${this.opts.heap ?? '1g'}`,
      '-XX:+UseParallelGC',
      `-Djava.io.tmpdir=${tmp}`,
      `-Dwattstream.instance=${this.opts.dir}`,
      '-p',
      lib,
      '-m',
      'io.questdb/io.questdb.ServerMain',
      '-d',
      root,
    ];
    this.opts.log?.(`starting QuestDB on ${this.httpUrl} …`);
    await this.service.start();
  }

  stop(): Promise<boolean> {
    return this.service.stop();
  }
}
