import { parentPort, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

/**
 * Load generator running in a worker thread: `connections` MQTT 3.1.1 clients, each an edge with
 * its own athlete and device, publishing QoS 1 batches of `samples` samples and keeping `window`
 * publishes in flight. Reports acknowledged batches to the parent every 250 ms.
 */
// workerData: { url, edges: [{ edgeId, athleteId, token }], samples, window }
// Plain JavaScript: loader hooks (tsx) are per thread on Node 20 and would not apply here.
const data = workerData;
let acked = 0;
let stopping = false;
const clients = [];

/** The samples part of a batch, built once: the publisher's cost stays small next to ingest's. */
function samplesJson(n) {
  const t0 = 1_764_000_000_000;
  const parts = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `{"ts":${t0 + i * 250},"power":${200 + (i % 97)},"cadence":${(85 + (i % 10) / 2).toFixed(1)},"hr":${130 + (i % 40)}}`,
    );
  }
  return `[${parts.join(',')}]`;
}
const samples = samplesJson(data.samples);

for (const e of data.edges) {
  const client = mqtt.connect(data.url, {
    protocolVersion: 4,
    clientId: `${e.edgeId}-bench`,
    username: e.edgeId,
    password: e.token,
    clean: true,
    reconnectPeriod: 0,
    keepalive: 60,
  });
  clients.push(client);
  const topic = `v1/samples/${e.athleteId}/bench-dev`;
  let seq = 0;
  let inFlight = 0;
  const pump = () => {
    while (!stopping && inFlight < data.window) {
      inFlight++;
      client.publish(topic, `{"seq":${seq++},"samples":${samples}}`, { qos: 1 }, (err) => {
        inFlight--;
        if (!err) acked++;
        pump();
      });
    }
  };
  client.on('connect', pump);
  client.on('error', (err) => parentPort?.postMessage({ error: err.message }));
}

const timer = setInterval(() => parentPort?.postMessage({ acked }), 250);
parentPort?.on('message', async (m) => {
  if (!m.stop) return;
  stopping = true;
  clearInterval(timer);
  parentPort?.postMessage({ acked });
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
  process.exit(0);
});
