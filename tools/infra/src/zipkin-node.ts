import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.js';
import { javaBinary } from './prereqs.js';
import { libDir, provision } from './provision.js';
import { VERSIONS } from './versions.js';

export interface ZipkinNodeOptions {
  /** Instance folder: log and pid file (storage is in memory). */
  dir: string;
  port: number;
  /** Spans kept in memory before the oldest traces are dropped. */
  maxSpans?: number;
  java?: string;
  log?: (msg: string) => void;
}

/**
 * Zipkin's server from its Maven Central exec jar, on a loopback port with in-memory storage: the
 * trace backend of `pnpm pipeline up --observe`. Spans arrive on `POST /api/v2/spans`
 * (OTEL_TRACES_EXPORTER=zipkin); traces are read back from `/api/v2/trace/…` (observability's
 * `fetchTrace`) and shown in its UI at `/zipkin/`. Ready when `/health` answers 200.
 */
export class ZipkinNode {
  readonly service: ManagedProcess;

  constructor(readonly opts: ZipkinNodeOptions) {
    this.service = new ManagedProcess({
      name: 'zipkin',
      dir: opts.dir,
      command: opts.java ?? 'java', // resolved in start()
      args: [],
      env: { STORAGE_TYPE: 'mem', MEM_MAX_SPANS: String(opts.maxSpans ?? 200_000) },
      ready: async () => (await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) })).ok,
      startTimeoutMs: 120_000,
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  /** Where services send spans: OTEL_EXPORTER_ZIPKIN_ENDPOINT. */
  get spansEndpoint(): string {
    return `${this.url}/api/v2/spans`;
  }

  async start(): Promise<void> {
    if (this.service.runningPid() !== undefined) return;
    mkdirSync(this.opts.dir, { recursive: true });
    await provision('zipkin', this.opts.log);
    this.service.spec.command = this.opts.java ?? javaBinary();
    this.service.spec.args = [
      // A small heap and the client compiler: it holds a few thousand traces and starts in seconds.
      '-Xms64m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      join(libDir('zipkin'), `zipkin-server-${VERSIONS.zipkin}-exec.jar`),
      // One listener, loopback only (the default binds every interface).
      `--armeria.ports[0].port=${this.opts.port}`,
      '--armeria.ports[0].ip=127.0.0.1',
      '--armeria.ports[0].protocols=http',
      '--logging.level.root=WARN',
    ];
    this.opts.log?.(`starting Zipkin on ${this.url} …`);
    await this.service.start();
  }

  stop(): Promise<boolean> {
    return this.service.stop({ graceMs: 10_000 });
  }
}
