import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import type { EdgeCommand } from '@wattstream/contracts';
import type { Logger, OpsServer } from '@wattstream/platform';
import { createRegistry, startOpsServer, startTracing, tracing } from '@wattstream/platform';
import { AntManager } from './ant/ant-manager.js';
import type { AntPlusLib, AntStick } from './ant/stick.js';
import { BleManager } from './ble/ble-manager.js';
import type { Noble } from './ble/noble.js';
import { type EdgeConfig, edgePaths } from './config.js';
import type { Metrics } from './decoders/index.js';
import { EdgeErrorCode } from './errors.js';
import { EdgeMetrics } from './metrics.js';
import { Batcher } from './publish/batcher.js';
import { Publisher } from './publish/publisher.js';
import { DiskQueue } from './queue/disk-queue.js';
import { SensorHub, type SensorStatus } from './sensors/hub.js';
import type { Pairing } from './sensors/pairing.js';
import { EDGE_VERSION } from './version.js';

export interface AgentOptions {
  config: EdgeConfig;
  logger: Logger;
  pairings: Pairing[];
  /** noble for BLE (the system's, or one over a fake binding); omitted = no BLE. */
  noble?: Noble;
  /** An ANT+ stick and the ant-plus library; omitted = no ANT+. */
  ant?: { stick: AntStick; lib: Pick<AntPlusLib, 'sensors' | 'HeartRateScanner'> };
  /** Where `reload-pairings` reads the pairings again (`edge run`: the pairings file); omitted = unsupported. */
  pairingsSource?: () => Pairing[];
  /** Serve /metrics, /healthz, /readyz on `config.httpPort` (default true). */
  http?: boolean;
  bleConnectConcurrency?: number;
}

export interface AgentStatus {
  ts: number;
  pid: number;
  edgeId: string;
  version: string;
  state: 'running' | 'stopped';
  mqtt: { url: string; connected: boolean };
  queue: { depth: number; bytes: number; droppedBatches: number };
  sensors: SensorStatus[];
}

/**
 * The edge agent: sensors (BLE, ANT+, or a simulator/replay pushing samples) → SensorHub
 * (decoders) → Batcher (per device, every flush interval) → DiskQueue (durable) → Publisher.
 */
export class EdgeAgent {
  readonly metrics: EdgeMetrics;
  readonly hub: SensorHub;
  readonly queue: DiskQueue;
  readonly batcher: Batcher;
  readonly publisher: Publisher;
  private ble: BleManager | undefined;
  private ant: AntManager | undefined;
  private ops: OpsServer | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private lastStatusWrite = 0;
  private stopped = false;
  private readonly paths: ReturnType<typeof edgePaths>;
  private pairings: Pairing[];

  constructor(private readonly opts: AgentOptions) {
    const c = opts.config;
    this.paths = edgePaths(c.dataDir);
    mkdirSync(this.paths.root, { recursive: true });
    this.metrics = new EdgeMetrics(createRegistry('edge'));
    this.queue = DiskQueue.open({
      dir: this.paths.queue,
      budgetBytes: c.queueBudget,
      fsync: c.queueFsync,
      logger: opts.logger,
      onDrop: (n) => this.metrics.queueDropped.inc(n),
    });
    this.batcher = new Batcher(this.queue, startTracing('edge', c, { 'service.instance.id': c.edgeId }));
    this.hub = new SensorHub((a, d, ts, m) => this.batcher.add(a, d, ts, m), {
      logger: opts.logger,
      metrics: this.metrics,
      staleMs: c.staleAfter,
    });
    this.publisher = new Publisher({
      url: c.mqttUrl,
      edgeId: c.edgeId,
      token: c.edgeToken,
      queue: this.queue,
      logger: opts.logger,
      metrics: this.metrics,
      inflightWindow: c.inflight,
      reconnectMaxMs: c.reconnectMax,
      version: EDGE_VERSION,
      statusInfo: () => ({ sensors: this.hub.connectedCount }),
    });
    this.publisher.on('command', (cmd: EdgeCommand) => void this.execute(cmd));
    this.pairings = [...opts.pairings];
    for (const p of this.pairings) this.hub.register(p);
  }

  /**
   * Commands from `v1/commands/{edgeId}`. `ping` answers with a fresh online status (queue depth,
   * sensors); `flush` batches and publishes what was read now instead of at the next interval;
   * `reload-pairings` reads the pairings again and applies the difference. Each then reports the
   * status.
   */
  private async execute(cmd: EdgeCommand): Promise<void> {
    const { logger } = this.opts;
    try {
      if (cmd.type === 'reload-pairings') {
        const source = this.opts.pairingsSource;
        if (!source) {
          this.metrics.commands.inc({ type: cmd.type, result: 'unsupported' });
          logger.warn(
            { code: EdgeErrorCode.CommandUnsupported, id: cmd.id },
            'reload-pairings: this agent does not read a pairings file (simulate, replay); nothing to reload',
          );
          return;
        }
        await this.applyPairings(source());
      }
      if (cmd.type === 'flush') await this.tick();
      await this.publisher.publishStatus('online');
      this.metrics.commands.inc({ type: cmd.type, result: 'done' });
    } catch (err) {
      this.metrics.commands.inc({ type: cmd.type, result: 'failed' });
      logger.error({ err, id: cmd.id, type: cmd.type }, 'command failed');
    }
  }

  /**
   * Applies a new list of pairings: sensors no longer paired (or paired differently) stop
   * being read, new ones are read from now on. A transport that was not started (no BLE adapter or
   * ANT+ stick was opened because nothing used it) needs a restart; that is logged.
   */
  async applyPairings(next: Pairing[]): Promise<{ added: string[]; removed: string[]; needRestart: string[] }> {
    const changed = (p: Pairing, other: Pairing | undefined) => JSON.stringify(p) !== JSON.stringify(other);
    const before = new Map(this.pairings.map((p) => [p.sensorId, p]));
    const after = new Map(next.map((p) => [p.sensorId, p]));
    const removed = this.pairings.filter((p) => changed(p, after.get(p.sensorId)));
    const added = next.filter((p) => changed(p, before.get(p.sensorId)));
    for (const p of removed) {
      if (p.transport === 'ble') await this.ble?.remove(p.address);
      else this.ant?.remove(p);
      this.hub.unregister(p.sensorId);
    }
    const needRestart: string[] = [];
    for (const p of added) {
      this.hub.register(p);
      let reading = false;
      if (p.transport === 'ant') reading = this.ant?.add(p) ?? false;
      else if (this.ble) {
        this.ble.add(p);
        reading = true;
      }
      if (!reading) needRestart.push(p.sensorId);
    }
    this.pairings = [...next];
    const summary = {
      added: added.map((p) => p.sensorId),
      removed: removed.map((p) => p.sensorId),
      needRestart,
    };
    this.opts.logger.info(summary, 'pairings reloaded');
    if (needRestart.length > 0)
      this.opts.logger.warn(
        { code: EdgeErrorCode.CommandUnsupported, sensors: needRestart },
        'these sensors are paired but cannot be read until the agent restarts (their transport was not started, or the ANT+ stick is in attach mode)',
      );
    return summary;
  }

  /** Pushes samples that need no decoding (FIT replay); they are batched like sensor readings. */
  push(athleteId: string, deviceId: string, ts: number, metrics: Metrics): void {
    this.batcher.add(athleteId, deviceId, ts, metrics);
  }

  async start(): Promise<void> {
    const { config: c, logger } = this.opts;
    if (this.opts.http !== false) {
      this.ops = await startOpsServer({ port: c.httpPort, host: c.bindHost, registry: this.metrics.registry, logger });
      // Reconnecting after having been connected is degraded, not down: every sample still goes to
      // the disk queue and is published once the broker is back.
      this.ops.addReadinessCheck('mqtt', () => {
        if (this.publisher.connected) return true;
        if (this.publisher.everConnected)
          return { degraded: `reconnecting to the broker; ${this.queue.depth} batches kept on disk` };
        return 'not connected to the broker';
      });
      this.ops.route('/status', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(this.status())}\n`);
      });
    }
    this.publisher.start();
    const ble = this.opts.pairings.filter((p) => p.transport === 'ble');
    const ant = this.opts.pairings.filter((p) => p.transport === 'ant');
    if (this.opts.noble && ble.length > 0) {
      this.ble = new BleManager({
        noble: this.opts.noble,
        hub: this.hub,
        logger,
        connectTimeoutMs: c.bleConnectTimeout,
        discoveryTimeoutMs: c.bleConnectTimeout,
        maxConcurrentConnects: this.opts.bleConnectConcurrency ?? 1,
      });
      for (const p of ble) if (p.transport === 'ble') this.ble.add(p);
      await this.ble.start();
    }
    if (this.opts.ant && ant.length > 0) {
      this.ant = new AntManager({ stick: this.opts.ant.stick, lib: this.opts.ant.lib, hub: this.hub, logger });
      for (const p of ant) if (p.transport === 'ant') this.ant.add(p);
      this.ant.start();
    }
    this.flushTimer = setInterval(() => void this.tick(), c.flushInterval);
    logger.info(
      {
        edgeId: c.edgeId,
        mqtt: c.mqttUrl,
        ble: this.ble ? ble.length : 0,
        ant: this.ant ? ant.length : 0,
        queueDepth: this.queue.depth,
        httpPort: this.ops?.port,
      },
      'edge agent started',
    );
  }

  get httpPort(): number | undefined {
    return this.ops?.port;
  }

  /** Batch → queue (durably) → publish. Runs every flush interval; never overlaps itself. */
  tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = (async () => {
      try {
        const n = this.batcher.flush();
        if (n > 0) this.metrics.batchesQueued.inc(n);
        await this.queue.commit();
        this.publisher.pump();
        this.metrics.queueDepth.set(this.queue.depth);
        this.metrics.queueBytes.set(this.queue.bytes);
        if (Date.now() - this.lastStatusWrite > 2000) this.writeStatus('running');
      } catch (err) {
        this.opts.logger.error({ err }, 'flush failed; samples stay buffered and are retried');
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  status(state: 'running' | 'stopped' = this.stopped ? 'stopped' : 'running'): AgentStatus {
    return {
      ts: Date.now(),
      pid: process.pid,
      edgeId: this.opts.config.edgeId,
      version: EDGE_VERSION,
      state,
      mqtt: { url: this.opts.config.mqttUrl, connected: this.publisher.connected },
      queue: { depth: this.queue.depth, bytes: this.queue.bytes, droppedBatches: this.queue.droppedBatches },
      sensors: this.hub.snapshot(),
    };
  }

  private writeStatus(state: 'running' | 'stopped'): void {
    this.lastStatusWrite = Date.now();
    try {
      const tmp = `${this.paths.status}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.status(state))}\n`);
      renameSync(tmp, this.paths.status);
    } catch (err) {
      this.opts.logger.debug({ err }, 'cannot write status file');
    }
  }

  /**
   * Stops intake, queues what was read, waits up to `drainMs` for the broker to acknowledge the
   * queue, then disconnects (publishing the offline status). What is not acknowledged stays on
   * disk for the next start.
   */
  async stop({ drainMs = 3000 }: { drainMs?: number } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.ble?.stop();
    await this.ant?.stop();
    clearInterval(this.flushTimer);
    await this.tick();
    await this.tick(); // a tick already running when stop() began may have missed the last samples
    // Waits for the broker too (a replay can finish before the first CONNACK), at most drainMs.
    if (drainMs > 0 && this.queue.depth > 0) await this.publisher.drain(drainMs);
    await this.publisher.stop();
    await this.queue.close();
    this.writeStatus('stopped');
    await this.ops?.close();
    await tracing().flush();
    this.opts.logger.info({ queueDepth: this.queue.depth }, 'edge agent stopped');
  }
}
