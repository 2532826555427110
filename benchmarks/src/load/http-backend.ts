/**
 * Child process: the service behind the proxies in the `gateway` benchmark — a bare Node HTTP
 * server answering every request with the same small JSON body (a session list of two items), so
 * what differs between "direct", "nginx" and "gateway" is the proxy alone.
 *
 * IPC: parent → `{type:'config', config: {port}}`; child → `ready`.
 */
import { createServer } from 'node:http';
import { childMain } from '../child.js';

const BODY = JSON.stringify({
  items: [1, 2].map((i) => ({
    id: `bench-athlete:17640000${i}0000`,
    athleteId: 'bench-athlete',
    startedAt: '2026-04-0' + i + 'T07:00:00.000Z',
    endedAt: '2026-04-0' + i + 'T08:30:00.000Z',
    summary: { durationS: 5400, distanceM: 45000, kj: 1100, avgPower: 210, normalizedPower: 222, avgHr: 138 },
  })),
  nextCursor: null,
});

childMain(async () => {
  const { port } = await new Promise<{ port: number }>((resolve) =>
    process.once('message', (m: { config: { port: number } }) => resolve(m.config)),
  );
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.send?.({ type: 'ready' });
});
