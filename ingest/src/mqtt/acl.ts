import { mqttTopics, type ParsedMqttTopic, parseMqttTopic } from '@wattstream/contracts';

/**
 * The edge ACL (contract v1). An edge may publish samples for the athletes in its token and its
 * own status; it may subscribe to its own errors and commands, exactly (no wildcards). Every
 * other topic is refused.
 */
export type PublishDecision =
  | { allowed: true; topic: ParsedMqttTopic & ({ kind: 'samples' } | { kind: 'status' }) }
  | { allowed: false; reason: string };

export function canPublish(edgeId: string, athletes: ReadonlySet<string>, topic: string): PublishDecision {
  const t = parseMqttTopic(topic);
  if (t?.kind === 'samples') {
    return athletes.has(t.athleteId)
      ? { allowed: true, topic: t }
      : { allowed: false, reason: `athlete ${t.athleteId} is not in this edge's token` };
  }
  if (t?.kind === 'status') {
    return t.edgeId === edgeId
      ? { allowed: true, topic: t }
      : { allowed: false, reason: `edges publish status only on ${mqttTopics.status(edgeId)}` };
  }
  return {
    allowed: false,
    reason: `edges may publish only to v1/samples/{athleteId}/{deviceId} and ${mqttTopics.status(edgeId)}`,
  };
}

export function canSubscribe(edgeId: string, filter: string): boolean {
  return filter === mqttTopics.errors(edgeId) || filter === mqttTopics.commands(edgeId);
}
