import { readFileSync, type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import { Counter, Gauge, isWattstreamError, type Logger, type Registry } from '@wattstream/platform';
import { GatewayErrorCode, gatewayError } from '../errors.js';
import { type CompiledTable, compileRouteTable } from './compile.js';
import { defaultRouteTable } from './default-table.js';

export interface RouteTableSourceOptions {
  /** A JSON file that replaces the built-in table, or undefined for the built-in one. */
  file: string | undefined;
  pollMs: number;
  serviceUrls: Record<string, string>;
  logger: Logger;
  registry: Registry;
}

/**
 * The route table in force. From a file, it is read at start (an invalid file then stops the
 * start) and re-read whenever the file changes; a change that does not validate is logged with
 * `WS_GATEWAY_ROUTES_INVALID`, counted, and ignored: the previous table keeps serving.
 */
export class RouteTableSource {
  private table: CompiledTable;
  private watcher: StatWatcher | undefined;
  private readonly reloads: Counter<'outcome'>;
  private readonly loadedAt: Gauge;

  constructor(private readonly o: RouteTableSourceOptions) {
    this.reloads = new Counter({
      name: 'wattstream_gateway_route_table_reloads_total',
      help: 'route table (re)loads from GATEWAY_ROUTES_FILE, by outcome (applied, invalid)',
      labelNames: ['outcome'] as const,
      registers: [o.registry],
    });
    this.loadedAt = new Gauge({
      name: 'wattstream_gateway_route_table_loaded_timestamp_seconds',
      help: 'when the route table in force was loaded',
      registers: [o.registry],
    });
    this.table = o.file ? this.read(o.file) : compileRouteTable(defaultRouteTable, o.serviceUrls);
    this.loadedAt.set(Date.now() / 1000);
  }

  get current(): CompiledTable {
    return this.table;
  }

  private read(file: string): CompiledTable {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw gatewayError(
        GatewayErrorCode.RoutesInvalid,
        `GATEWAY_ROUTES_FILE ${file} is not readable JSON: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return compileRouteTable(raw, this.o.serviceUrls);
  }

  /** Re-reads the file now; true when the new table is in force. */
  reload(): boolean {
    if (!this.o.file) return false;
    try {
      this.table = this.read(this.o.file);
      this.reloads.inc({ outcome: 'applied' });
      this.loadedAt.set(Date.now() / 1000);
      this.o.logger.info({ file: this.o.file, routes: this.table.routes.length }, 'route table reloaded');
      return true;
    } catch (err) {
      this.reloads.inc({ outcome: 'invalid' });
      this.o.logger.error(
        { code: isWattstreamError(err) ? err.code : GatewayErrorCode.RoutesInvalid, err: (err as Error).message },
        'route table change refused: the previous table stays in force',
      );
      return false;
    }
  }

  /** Polls the file (works for in-place writes and for atomic renames alike). */
  watch(): void {
    if (!this.o.file || this.watcher) return;
    const file = this.o.file;
    this.watcher = watchFile(file, { interval: this.o.pollMs, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload();
    });
  }

  stop(): void {
    if (this.o.file && this.watcher) unwatchFile(this.o.file);
    this.watcher = undefined;
  }
}
