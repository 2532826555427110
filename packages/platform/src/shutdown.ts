import { PlatformErrorCode } from './errors.js';
import type { Logger } from './logger.js';

export type ShutdownHook = () => void | Promise<void>;

/**
 * Graceful shutdown on SIGTERM/SIGINT. Hooks run one at a time in the order of their phase, so no
 * step races the one it depends on:
 * - `intake`: stop taking new work (listeners, consumers, readiness turns false);
 * - `drain`: let work already taken finish (in-flight requests, batches being handled);
 * - `flush`: push out what is buffered (producers, outbox, sinks);
 * - `close`: release connections and servers.
 * A second signal, or the timeout, forces exit with code 1.
 */
export type ShutdownPhase = 'intake' | 'drain' | 'flush' | 'close';
export const SHUTDOWN_PHASES: readonly ShutdownPhase[] = ['intake', 'drain', 'flush', 'close'];

export interface Shutdown {
  add(phase: ShutdownPhase, name: string, hook: ShutdownHook): void;
  /** Runs every hook; resolves when done. Safe to call more than once. */
  run(reason: string): Promise<void>;
  readonly stopping: boolean;
}

export function createShutdown(
  logger: Logger,
  { timeoutMs = 15_000, signals = true, exit = true }: { timeoutMs?: number; signals?: boolean; exit?: boolean } = {},
): Shutdown {
  const hooks: { phase: ShutdownPhase; name: string; hook: ShutdownHook }[] = [];
  let running: Promise<void> | undefined;

  const run = (reason: string): Promise<void> => {
    if (running) return running;
    logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ code: PlatformErrorCode.ShutdownTimeout, timeoutMs }, 'shutdown did not finish in time; exiting');
      if (exit) process.exit(1);
    }, timeoutMs);
    timer.unref();
    running = (async () => {
      for (const phase of SHUTDOWN_PHASES) {
        for (const h of hooks.filter((x) => x.phase === phase)) {
          try {
            await h.hook();
          } catch (err) {
            logger.error({ err, hook: h.name, phase }, 'shutdown hook failed');
          }
        }
      }
      clearTimeout(timer);
      logger.info('shutdown complete');
    })();
    return running;
  };

  if (signals) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (running) {
        logger.warn({ signal }, 'second signal; exiting now');
        process.exit(1);
      }
      void run(signal).then(() => {
        if (exit) process.exit(0);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  return {
    add: (phase, name, hook) => void hooks.push({ phase, name, hook }),
    run,
    get stopping() {
      return running !== undefined;
    },
  };
}
