import { compile, EdgeCommand } from '@wattstream/contracts';

const validateCommand = compile(EdgeCommand);

export type CommandReading =
  | { ok: true; command: EdgeCommand }
  | { ok: false; duplicate: true; command: EdgeCommand }
  | { ok: false; duplicate: false; reason: string };

/**
 * Reads payloads from `v1/commands/{edgeId}`. The broker delivers QoS 1 at least once (again after a
 * reconnect with a persistent session), so a command id already seen is reported as a duplicate and
 * must not be executed twice. It remembers the last `memory` ids.
 */
export class CommandReader {
  private readonly seen = new Set<string>();

  constructor(private readonly memory = 256) {}

  read(payload: Buffer): CommandReading {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return { ok: false, duplicate: false, reason: `not JSON (${payload.length} bytes)` };
    }
    const r = validateCommand.validate(parsed);
    if (!r.ok) return { ok: false, duplicate: false, reason: r.error.message };
    const command = r.value;
    if (this.seen.has(command.id)) return { ok: false, duplicate: true, command };
    this.seen.add(command.id);
    if (this.seen.size > this.memory) this.seen.delete(this.seen.values().next().value as string);
    return { ok: true, command };
  }
}
