import {
  COMPONENT_NAME_PATTERN,
  LOG_LEVEL_NAMES,
  type LogLevelsChange,
  type LogLevelsView,
} from '@wattstream/contracts';
import type { Logger } from 'pino';
import { custom } from './config.js';

export const LOG_LEVELS = LOG_LEVEL_NAMES;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** `component=level` pairs, e.g. `mqtt=debug,kafkajs=error`. */
export type ComponentLevels = Record<string, LogLevel>;

const COMPONENT = new RegExp(COMPONENT_NAME_PATTERN);
const isLevel = (v: string): v is LogLevel => (LOG_LEVELS as readonly string[]).includes(v);

/** Parses `mqtt=debug,kafkajs=error`; throws a message naming the bad pair. */
export function parseComponentLevels(raw: string): ComponentLevels {
  const out: ComponentLevels = {};
  for (const pair of raw.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const [name = '', level = '', ...rest] = pair.split('=').map((s) => s.trim());
    if (!COMPONENT.test(name) || !isLevel(level) || rest.length > 0) {
      throw new Error(
        `comma-separated component=level pairs; "${pair}" is not one (level one of ${LOG_LEVELS.join(', ')})`,
      );
    }
    out[name] = level;
  }
  return out;
}

/** `LOG_LEVELS`: a level per component over `LOG_LEVEL` (changeable at run time, see LogLevels). */
export const componentLevelsField = (env = 'LOG_LEVELS') =>
  custom<ComponentLevels>(
    env,
    {
      default: '',
      required: false,
      description:
        'a level per component over LOG_LEVEL, e.g. `mqtt=debug,kafkajs=error`; changeable at run time (PUT /admin/log-levels)',
    },
    parseComponentLevels,
  );

/**
 * Levels per component of one service's logger, changeable while it runs. pino copies a level into
 * a child when the child is made and never again, so every component logger is kept here and set
 * on each change. A component named before it first logs (in LOG_LEVELS or a change) keeps its
 * level for when it does.
 */
export class LogLevels {
  private readonly loggers = new Map<string, Logger>();
  private readonly own = new Map<string, LogLevel>();

  constructor(
    readonly root: Logger,
    initial: ComponentLevels = {},
  ) {
    for (const [name, level] of Object.entries(initial)) this.own.set(name, level);
  }

  /** The logger of one component: `component` on every line, its own level if it has one. */
  component(name: string): Logger {
    let log = this.loggers.get(name);
    if (!log) {
      log = this.root.child({ component: name });
      log.level = this.levelOf(name);
      this.loggers.set(name, log);
    }
    return log;
  }

  /** True when the component has a level of its own (LOG_LEVELS or a change), not the service's. */
  hasOwn(name: string): boolean {
    return this.own.has(name);
  }

  levelOf(name: string): LogLevel {
    return this.own.get(name) ?? (this.root.level as LogLevel);
  }

  view(): LogLevelsView {
    const components: LogLevelsView['components'] = {};
    for (const name of [...new Set([...this.loggers.keys(), ...this.own.keys()])].sort()) {
      components[name] = { level: this.levelOf(name), own: this.own.has(name) };
    }
    return { level: this.root.level as LogLevel, components };
  }

  set(change: LogLevelsChange): LogLevelsView {
    if (change.level !== undefined) this.root.level = change.level;
    for (const [name, level] of Object.entries(change.components ?? {})) {
      if (level === null) this.own.delete(name);
      else this.own.set(name, level);
    }
    for (const [name, log] of this.loggers) log.level = this.levelOf(name);
    return this.view();
  }
}

const registries = new WeakMap<Logger, LogLevels>();

/** The LogLevels of a service's logger (made on first use, with no component levels). */
export function logLevelsOf(root: Logger, initial?: ComponentLevels): LogLevels {
  let r = registries.get(root);
  if (!r) {
    r = new LogLevels(root, initial);
    registries.set(root, r);
  }
  return r;
}

/** A component's logger under `root`, with the level LOG_LEVELS or a run-time change gave it. */
export function componentLogger(root: Logger, name: string): Logger {
  return logLevelsOf(root).component(name);
}
