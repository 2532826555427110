import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import type { TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderArtefacts } from '../src/artefacts.js';
import {
  cloudEventHeaders,
  compile,
  EdgeError,
  EdgeStatus,
  FriendActivityUpdated,
  IntegrationSyncFailed,
  InventoryUpdated,
  KAFKA_TOPICS,
  kafkaTopics,
  MetricsReceived,
  MetricsRejected,
  ProfileUpdated,
  parseCloudEventHeaders,
  SamplesImported,
  SessionSummarized,
  StatsUpdated,
  TrainingCompleted,
  TrainingStarted,
  WorkoutAssigned,
} from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const T = 1_764_000_000_000;
const metrics = {
  power: 250,
  power3s: 248,
  power10s: 240,
  power30s: 235,
  avgPower: 210,
  maxPower: 800,
  normalizedPower: 231,
  intensity: 0.924,
  load: 42.7,
  kj: 380.5,
  hr: 150,
  avgHr: 141,
  maxHr: 172,
  hrZone: 3,
  powerZone: 4,
  timeInPowerZones: [60, 300, 600, 420, 30, 10, 0],
  wbal: 18_500,
  cadence: 91,
  speed: 10.2,
  distance: 18_250,
  elapsedS: 1800,
  movingS: 1790,
};

// One valid example and one invalid example (with the expected message fragment) per event.
const cases: [TSchema, unknown, unknown, string][] = [
  [
    MetricsReceived,
    { athleteId: 'a1', deviceId: 'd1', edgeId: 'e1', seq: 3, samples: [{ ts: T, hr: 120 }] },
    { athleteId: 'a1', deviceId: 'd1', seq: 3, samples: [{ ts: T, hr: 120 }] },
    'missing required field "edgeId"',
  ],
  [
    MetricsRejected,
    {
      edgeId: 'e1',
      topic: 'v1/samples/a/b',
      code: 'WS_CONTRACT_SCHEMA',
      reason: 'x',
      receivedAt: T,
      payloadEncoding: 'utf8',
      payload: '{}',
    },
    { edgeId: 'e1', topic: 't', code: 'c', reason: 'x', receivedAt: T, payloadEncoding: 'hex', payload: '' },
    'payloadEncoding',
  ],
  [
    TrainingStarted,
    { sessionId: `a1:${T}`, athleteId: 'a1', startedAt: T, deviceIds: ['d1'] },
    { sessionId: 'a1', athleteId: 'a1', startedAt: T, deviceIds: [] },
    'sessionId',
  ],
  [
    TrainingCompleted,
    {
      sessionId: `a1:${T}`,
      athleteId: 'a1',
      startedAt: T,
      endedAt: T + 3_600_000,
      durationS: 3600,
      movingS: 3500,
      distanceM: 35_000,
      avgPower: 200,
      maxPower: 900,
      normalizedPower: 220,
      intensity: 0.88,
      load: 77.4,
      kj: 720,
      avgHr: 140,
      maxHr: 175,
      samples: 14_400,
      profileSource: 'profile',
    },
    {
      sessionId: `a1:${T}`,
      athleteId: 'a1',
      startedAt: T,
      endedAt: T,
      durationS: -1,
      movingS: 0,
      distanceM: 0,
      avgPower: null,
      maxPower: null,
      normalizedPower: null,
      intensity: null,
      load: null,
      kj: 0,
      avgHr: null,
      maxHr: null,
      samples: 0,
      profileSource: 'default',
    },
    'durationS: must be >= 0',
  ],
  [
    StatsUpdated,
    { athleteId: 'a1', sessionId: `a1:${T}`, seq: 9, ts: T, profileSource: 'default', metrics },
    { athleteId: 'a1', sessionId: `a1:${T}`, seq: 9, ts: T, profileSource: 'default', metrics: { ...metrics, np: 1 } },
    'unknown field "np"',
  ],
  [
    ProfileUpdated,
    { athleteId: 'a1', ftp: 250, cp: 260, wPrime: 20_000, maxHr: 190, lthr: 170, weightKg: 72.5, updatedAt: T },
    { athleteId: 'a1', ftp: 5000, cp: 260, wPrime: 20_000, maxHr: 190, lthr: 170, weightKg: 72.5, updatedAt: T },
    'ftp: must be <= 2000',
  ],
  [
    InventoryUpdated,
    {
      userId: 'u1',
      itemId: 'i1',
      action: 'added',
      item: {
        kind: 'sensor',
        name: 'HRM',
        sensor: { transport: 'ble', sensorId: 'c1:22:33:44:55:66', type: 'hr' },
        distanceM: 0,
        retired: false,
      },
      updatedAt: T,
    },
    {
      userId: 'u1',
      itemId: 'i1',
      action: 'sold',
      item: { kind: 'bike', name: 'B', distanceM: 0, retired: false },
      updatedAt: T,
    },
    'action',
  ],
  [
    FriendActivityUpdated,
    {
      activityId: `a1:${T}`,
      actorId: 'a1',
      verb: 'completed',
      sport: 'ride',
      summary: { durationS: 3600, distanceM: 30_000, kj: 700, avgPower: 195 },
      visibility: 'followers',
      occurredAt: T,
    },
    { activityId: `a1:${T}`, actorId: 'a1', verb: 'completed', sport: 'ride', visibility: 'followers' },
    'missing required field "occurredAt"',
  ],
  [
    IntegrationSyncFailed,
    {
      userId: 'u1',
      provider: 'strava',
      direction: 'export',
      activityId: 'x',
      attempt: 2,
      retryable: true,
      nextRetryAt: T + 60_000,
      error: { code: 'RATE_LIMITED', message: 'slow down', httpStatus: 429 },
      failedAt: T,
    },
    {
      userId: 'u1',
      provider: 'strava',
      direction: 'export',
      attempt: 0,
      retryable: true,
      error: { code: 'X', message: 'y' },
      failedAt: T,
    },
    'attempt: must be >= 1',
  ],
  [
    SessionSummarized,
    {
      sessionId: `a1:${T}`,
      athleteId: 'a1',
      revision: 1,
      source: 'upload',
      sport: 'cycling',
      startedAt: T,
      endedAt: T + 3_600_000,
      durationS: 3600,
      movingS: 3500,
      distanceM: 35_000,
      kj: 720,
      avgPower: 200,
      maxPower: 900,
      normalizedPower: 220,
      intensity: 0.88,
      load: 77.4,
      avgHr: 140,
      maxHr: 175,
      timeInPowerZones: [600, 900, 900, 600, 300, 200, 100],
      timeInHrZones: [600, 900, 900, 900, 300],
      ftp: 250,
      gearId: 'bike-1',
      workoutId: null,
      summarizedAt: T + 3_700_000,
    },
    {
      sessionId: `a1:${T}`,
      athleteId: 'a1',
      revision: 1,
      source: 'strava',
      sport: 'cycling',
      startedAt: T,
      endedAt: T,
      durationS: 0,
      movingS: 0,
      distanceM: 0,
      kj: 0,
      avgPower: null,
      maxPower: null,
      normalizedPower: null,
      intensity: null,
      load: null,
      avgHr: null,
      maxHr: null,
      timeInPowerZones: null,
      timeInHrZones: null,
      ftp: 250,
      gearId: null,
      workoutId: null,
      summarizedAt: T,
    },
    'source',
  ],
  [
    WorkoutAssigned,
    {
      assignmentId: '3f0c2a4e-8d1b-4c5e-9a7f-2b6d8e1c4a90',
      athleteId: 'a1',
      assignedBy: 'c1',
      workoutId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      workoutName: 'Sweet spot 3×10',
      date: '2026-12-03',
      plannedDurationS: 3600,
      action: 'assigned',
      updatedAt: T,
    },
    {
      assignmentId: 'x',
      athleteId: 'a1',
      assignedBy: 'c1',
      workoutId: 'y',
      workoutName: '',
      date: 'tomorrow',
      plannedDurationS: 3600,
      action: 'assigned',
      updatedAt: T,
    },
    'assignmentId',
  ],
  [
    SamplesImported,
    {
      sessionId: `a1:${T}`,
      athleteId: 'a1',
      deviceId: 'upload',
      chunk: 0,
      chunks: 1,
      samples: [{ ts: T, power: 200, lat: 47.1, lon: 8.5, altitude: 420 }],
    },
    { sessionId: `a1:${T}`, athleteId: 'a1', deviceId: 'upload', chunk: 0, chunks: 1, samples: [{ ts: T }] },
    'samples',
  ],
  [EdgeStatus, { state: 'online', ts: T, version: '0.1.0', queueDepth: 0 }, { state: 'asleep', ts: T }, 'state'],
  [
    EdgeError,
    { code: 'WS_CONTRACT_SCHEMA', message: 'm', topic: 't', seq: 1, ts: T },
    { code: 'c', topic: 't', ts: T },
    'missing required field "message"',
  ],
];

describe('event schemas', () => {
  it("validateJson reads a record's bytes: malformed JSON is a coded result, never a throw", () => {
    const v = compile(ProfileUpdated);
    const [, good] = cases.find(([schema]) => schema === ProfileUpdated) ?? [];
    const ok = v.validateJson(Buffer.from(JSON.stringify(good)));
    expect(ok.ok ? ok.value : ok.error.message).toEqual(good);
    const broken = v.validateJson(Buffer.from('{"athleteId":'));
    expect(broken.ok ? 'accepted' : broken.error.code).toBe('WS_CONTRACT_MALFORMED_JSON');
    const wrong = v.validateJson('{"athleteId":1}');
    expect(wrong.ok ? 'accepted' : wrong.error.code).toBe('WS_CONTRACT_SCHEMA');
  });

  for (const [schema, good, bad, fragment] of cases) {
    it(`${String(schema.$id)} accepts its example and rejects a broken one`, () => {
      const v = compile(schema);
      const ok = v.validate(good);
      expect(ok.ok ? 'ok' : ok.error.message).toBe('ok');
      const r = v.validate(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toContain(fragment);
    });
  }

  it('every Kafka topic has a schema with an $id and a CloudEvents id rule', () => {
    expect(KAFKA_TOPICS.length).toBeGreaterThanOrEqual(9);
    for (const t of KAFKA_TOPICS) {
      expect(t.value.$id, t.name).toMatch(/^wattstream\/v1\//);
      expect(t.ceId.length, t.name).toBeGreaterThan(0);
    }
  });
});

describe('CloudEvents headers (Kafka binary mode)', () => {
  it('builds the contract headers and parses them back from Buffers', () => {
    const h = cloudEventHeaders({
      type: kafkaTopics.metricsReceived.name,
      id: 'd1:42',
      source: '/edges/e1',
      time: T,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(h).toEqual({
      ce_specversion: '1.0',
      ce_type: 'tracking.metrics.received',
      ce_id: 'd1:42',
      ce_source: '/edges/e1',
      ce_time: '2025-11-24T16:00:00.000Z',
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const asBuffers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)]));
    expect(parseCloudEventHeaders(asBuffers)).toMatchObject({ type: 'tracking.metrics.received', id: 'd1:42' });
  });

  it('drops a malformed traceparent and reports missing attributes as null', () => {
    expect(cloudEventHeaders({ type: 't', id: 'i', source: '/s', traceparent: 'garbage' }).traceparent).toBeUndefined();
    expect(parseCloudEventHeaders({ ce_type: 'x' })).toBeNull();
  });
});

describe('generated artefacts', () => {
  it('are up to date with the sources (run `pnpm --filter @wattstream/contracts generate`)', () => {
    for (const [rel, text] of Object.entries(renderArtefacts(stringify))) {
      expect(readFileSync(join(root, rel), 'utf8'), rel).toBe(text);
    }
  });

  it('the AsyncAPI 3 document is valid for @asyncapi/parser', async () => {
    const parser = new Parser();
    const { document, diagnostics } = await parser.parse(readFileSync(join(root, 'asyncapi.yaml'), 'utf8'));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.channels().length).toBe(4 + KAFKA_TOPICS.length + 1);
    expect(document?.channels().get('live')?.address()).toBe('/v1/live');
    const samples = document?.channels().get('samples');
    expect(samples?.address()).toBe('v1/samples/{athleteId}/{deviceId}');
  });
});
