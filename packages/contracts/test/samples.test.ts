import { describe, expect, it } from 'vitest';
import {
  batchContentHash,
  ContractErrorCode,
  canonicalSampleBatch,
  checkSampleTimes,
  decodeSampleBatch,
  isEdgeClientId,
  MAX_SAMPLES_PER_BATCH,
  metricsReceivedCeId,
  mqttTopics,
  parseMetricsReceivedCeId,
  parseMqttTopic,
  validateSampleBatch,
} from '../src/index.js';

const TS = 1_764_000_000_000;
const valid = {
  seq: 42,
  samples: [
    { ts: TS, power: 250, cadence: 90.5 },
    { ts: TS + 250, hr: 142, rr: [812, 798] },
  ],
};

const reason = (value: unknown) => {
  const r = validateSampleBatch(value);
  if (r.ok) throw new Error('expected a rejection');
  return r.error;
};

describe('SampleBatch (MQTT payload v1)', () => {
  it('accepts the example of the contract', () => {
    const r = validateSampleBatch(valid);
    expect(r.ok).toBe(true);
  });

  it('accepts every metric at its bounds', () => {
    const r = validateSampleBatch({
      seq: 0,
      samples: [
        { ts: TS, hr: 20, power: 0, cadence: 0, speed: 0, distance: 0, rr: [200] },
        { ts: TS + 1, hr: 250, power: 3000, cadence: 250, speed: 40, distance: 1e7, rr: [3000] },
      ],
    });
    expect(r).toMatchObject({ ok: true });
  });

  it('rejects a sample without ts, naming the field', () => {
    const e = reason({ seq: 1, samples: [{ power: 100 }] });
    expect(e.code).toBe(ContractErrorCode.Schema);
    expect(e.message).toBe('invalid SampleBatch: samples/0: missing required field "ts"');
  });

  it('rejects power 5000 with the limit in the message', () => {
    const e = reason({ seq: 1, samples: [{ ts: TS, power: 5000 }] });
    expect(e.message).toBe('invalid SampleBatch: samples/0/power: must be <= 3000');
  });

  it.each([
    [{ ts: TS, hr: 19 }, 'samples/0/hr: must be >= 20'],
    [{ ts: TS, hr: 142.5 }, 'samples/0/hr: must be integer'],
    [{ ts: TS, speed: 41 }, 'samples/0/speed: must be <= 40'],
    [{ ts: TS, cadence: -1 }, 'samples/0/cadence: must be >= 0'],
    [{ ts: TS, distance: -0.5 }, 'samples/0/distance: must be >= 0'],
    [{ ts: TS, rr: [199] }, 'samples/0/rr/0: must be >= 200'],
    [{ ts: TS, rr: [] }, 'samples/0/rr: at least 1 item(s) required'],
    [{ ts: 1_764_000_000, power: 1 }, 'samples/0/ts: must be >= 946684800000'],
    [{ ts: TS + 0.5, power: 1 }, 'samples/0/ts: must be integer'],
    [{ ts: TS }, 'samples/0: needs at least one metric besides ts'],
  ])('rejects out-of-range sample %j', (sample, message) => {
    expect(reason({ seq: 1, samples: [sample] }).message).toBe(`invalid SampleBatch: ${message}`);
  });

  it('rejects an unknown field in a sample and in the batch', () => {
    expect(reason({ seq: 1, samples: [{ ts: TS, power: 1, watts: 2 }] }).message).toBe(
      'invalid SampleBatch: samples/0: unknown field "watts"',
    );
    expect(reason({ ...valid, extra: true }).message).toBe('invalid SampleBatch: (root): unknown field "extra"');
  });

  it('rejects 1001 samples and accepts 1000', () => {
    const samples = (n: number) => Array.from({ length: n }, (_, i) => ({ ts: TS + i, power: 100 }));
    expect(validateSampleBatch({ seq: 1, samples: samples(MAX_SAMPLES_PER_BATCH) }).ok).toBe(true);
    expect(reason({ seq: 1, samples: samples(MAX_SAMPLES_PER_BATCH + 1) }).message).toBe(
      'invalid SampleBatch: samples: at most 1000 items allowed',
    );
  });

  it('rejects an empty batch, a negative or fractional seq', () => {
    expect(reason({ seq: 1, samples: [] }).message).toContain('samples: at least 1 item(s) required');
    expect(reason({ seq: -1, samples: valid.samples }).message).toContain('seq: must be >= 0');
    expect(reason({ seq: 1.5, samples: valid.samples }).message).toContain('seq: must be integer');
  });

  it('rejects two samples with the same ts', () => {
    const e = reason({
      seq: 1,
      samples: [
        { ts: TS, power: 1 },
        { ts: TS, hr: 100 },
      ],
    });
    expect(e.code).toBe(ContractErrorCode.DuplicateTs);
    expect(e.message).toContain('samples/1: ts 1764000000000 appears more than once');
  });

  it('decodes bytes: not UTF-8, not JSON, then schema', () => {
    const bad = decodeSampleBatch(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(bad.ok ? null : bad.error.code).toBe(ContractErrorCode.NotUtf8);
    const notJson = decodeSampleBatch(Buffer.from('{"seq": 1,'));
    expect(notJson.ok ? null : notJson.error.code).toBe(ContractErrorCode.MalformedJson);
    const ok = decodeSampleBatch(Buffer.from(JSON.stringify(valid)));
    expect(ok.ok && ok.value.samples[1]?.rr).toEqual([812, 798]);
  });
});

describe('MQTT topics v1', () => {
  it('builds and parses every topic kind', () => {
    expect(mqttTopics.samples('ath-1', 'hrm_2')).toBe('v1/samples/ath-1/hrm_2');
    expect(parseMqttTopic('v1/samples/ath-1/hrm_2')).toEqual({
      kind: 'samples',
      athleteId: 'ath-1',
      deviceId: 'hrm_2',
    });
    expect(parseMqttTopic(mqttTopics.status('edge1'))).toEqual({ kind: 'status', edgeId: 'edge1' });
    expect(parseMqttTopic(mqttTopics.errors('edge1'))).toEqual({ kind: 'errors', edgeId: 'edge1' });
    expect(parseMqttTopic(mqttTopics.commands('edge1'))).toEqual({ kind: 'commands', edgeId: 'edge1' });
  });

  it.each([
    'v1/samples/ath 1/dev',
    'v1/samples/ath/dev/extra',
    'v1/samples/ath',
    `v1/samples/${'a'.repeat(65)}/dev`,
    'v1/samples//dev',
    'v1/samples/+/dev',
    'v2/samples/a/b',
    'v1/status/a/b',
    'v1/other/a',
    '$SYS/broker',
  ])('rejects bad topic %s', (topic) => {
    expect(parseMqttTopic(topic)).toBeNull();
  });

  it('accepts a 64-character id', () => {
    const id = 'a'.repeat(64);
    expect(parseMqttTopic(`v1/samples/${id}/${id}`)).not.toBeNull();
  });
});

describe('sample times relative to the time of receipt', () => {
  const at = (ts: number) => ({
    seq: 1,
    samples: [
      { ts: TS, power: 1 },
      { ts, power: 2 },
    ],
  });
  const bounds = { maxFutureSkewMs: 30_000, maxAgeMs: 0 };

  it('accepts up to the skew ahead and any age without a bound', () => {
    expect(checkSampleTimes(at(TS + 30_000), TS, bounds).ok).toBe(true);
    expect(checkSampleTimes(at(TS - 365 * 86_400_000), TS, bounds).ok).toBe(true);
  });

  it('refuses a sample beyond the skew or the age, naming it', () => {
    const ahead = checkSampleTimes(at(TS + 30_001), TS, bounds);
    expect(!ahead.ok && ahead.error.code).toBe(ContractErrorCode.TsInFuture);
    expect(!ahead.ok && ahead.error.message).toMatch(/samples\/1: ts \d+ is 30001 ms ahead/);
    const old = checkSampleTimes(at(TS - 86_400_001), TS, { ...bounds, maxAgeMs: 86_400_000 });
    expect(!old.ok && old.error.code).toBe(ContractErrorCode.TsTooOld);
  });
});

describe('canonical encoding and batch identity', () => {
  const decode = (text: string) => {
    const r = decodeSampleBatch(Buffer.from(text));
    if (!r.ok) throw r.error;
    return r.value;
  };

  it('writes the validated value: the last of duplicate keys, one spelling per number, schema key order', () => {
    const v = decode(
      '{"samples":[{"power":5000,"rr":[8.12e2],"ts":1764000000000.0,"power":114,"cadence":1e2}],"seq":7}',
    );
    expect(canonicalSampleBatch(v)).toBe(
      '{"seq":7,"samples":[{"ts":1764000000000,"power":114,"cadence":100,"rr":[812]}]}',
    );
    expect(JSON.parse(canonicalSampleBatch(valid))).toEqual(valid);
  });

  it('ce_id = {athleteId}/{deviceId}/{seq}/{contentHash}: same content, same id; other content, other id', () => {
    const id = (text: string) => {
      const b = decode(text);
      return metricsReceivedCeId('ath', 'dev', b.seq, batchContentHash(canonicalSampleBatch(b)));
    };
    const a = id('{"seq":5,"samples":[{"ts":1764000000000,"power":200}]}');
    expect(a).toMatch(/^ath\/dev\/5\/[0-9a-f]{16}$/);
    expect(id('{"samples":[{"power":200.0,"ts":1764000000000}],"seq":5}')).toBe(a);
    expect(id('{"seq":5,"samples":[{"ts":1764000000000,"power":201}]}')).not.toBe(a);
    expect(parseMetricsReceivedCeId(a)).toMatchObject({ athleteId: 'ath', deviceId: 'dev', seq: 5 });
    expect(parseMetricsReceivedCeId('dev:5')).toBeUndefined();
  });
});

describe('edge client ids', () => {
  it('are the edgeId or {edgeId}:{suffix}, never another id', () => {
    expect(isEdgeClientId('e1', 'e1')).toBe(true);
    expect(isEdgeClientId('e1', 'e1:proc-2')).toBe(true);
    for (const id of ['e2', 'e1-x', 'e1_x', 'e1:', 'e1:a/b', 'xe1', `e1:${'a'.repeat(65)}`]) {
      expect(isEdgeClientId('e1', id), id).toBe(false);
    }
  });
});
