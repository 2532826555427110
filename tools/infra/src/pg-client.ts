import pg from 'pg';

/** One short-lived connection: `fn` runs on it, then it is closed whatever happens. */
export async function withPg<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  { connectTimeoutMs = 5000 } = {},
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  // A server that goes away mid-session emits 'error' on the client; the query's own rejection
  // reports it, the event must not crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
