import type { Logger } from '@wattstream/platform';
import { EdgeAgent } from '../agent.js';
import type { AntStick } from '../ant/stick.js';
import { loadAntPlus } from '../ant/stick.js';
import { nobleWithBindings } from '../ble/noble.js';
import type { EdgeConfig } from '../config.js';
import { Simulation, type SimulationOptions } from './simulation.js';

export interface SimulatedEdge {
  agent: EdgeAgent;
  simulation: Simulation;
  /** Resolves when every simulated sensor is connected (BLE) or heard (ANT+). */
  ready(timeoutMs?: number): Promise<void>;
  stop(opts?: { drainMs?: number }): Promise<void>;
}

/**
 * An edge agent fed by a simulation, the way `edge simulate` runs it; also the entry point for
 * benchmarks and tests (`startSimulatedEdge({config, logger, simulation: {athletes: 50, seed: 1}})`).
 * `autoStep: false` leaves stepping to the caller (`simulation.step(now)`), for deterministic runs.
 */
export async function startSimulatedEdge(opts: {
  config: EdgeConfig;
  logger: Logger;
  simulation: SimulationOptions;
  autoStep?: boolean;
  http?: boolean;
}): Promise<SimulatedEdge> {
  const simulation = new Simulation(opts.simulation);
  const agent = new EdgeAgent({
    config: opts.config,
    logger: opts.logger,
    pairings: simulation.pairings,
    noble: nobleWithBindings(simulation.binding),
    ant: { stick: simulation.stick as unknown as AntStick, lib: loadAntPlus() },
    http: opts.http ?? true,
    bleConnectConcurrency: 16,
  });
  await agent.start();
  if (opts.autoStep !== false) simulation.start();
  return {
    agent,
    simulation,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const total = simulation.pairings.length;
      while (agent.hub.connectedCount < total) {
        if (Date.now() > deadline) {
          throw new Error(`only ${agent.hub.connectedCount} of ${total} simulated sensors connected`);
        }
        if (opts.autoStep === false) simulation.step(Date.now());
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(stopOpts) {
      simulation.stop();
      await agent.stop(stopOpts);
    },
  };
}
