import { connect } from 'node:net';
import { InfraErrorCode, infraError } from './errors.js';

export type RedisReply = string | number | null | RedisReply[];

/** A RESP array of bulk strings: how a client sends a command. */
const encode = (args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/**
 * Parses one RESP2 reply at `at`; undefined when the buffer does not hold all of it yet.
 * An error reply (`-ERR …`) is returned as a WS_INFRA_REDIS_REPLY error.
 */
function parse(buf: Buffer, at: number): { value: RedisReply | Error; end: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(buf[at]!)) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: infraError(InfraErrorCode.RedisReply, line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const items: RedisReply[] = [];
      let end = next;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, end);
        if (!item) return undefined;
        if (item.value instanceof Error) return item;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      return {
        value: infraError(InfraErrorCode.RedisReply, `unexpected RESP reply ${JSON.stringify(line)}`),
        end: buf.length,
      };
  }
}

/**
 * Runs one command on the Redis behind `url` (`redis://[[user]:password@]host:port`), logging in
 * first when the URL carries a password, and resolves with its reply. Just enough RESP for
 * readiness checks, `pnpm infra status` and tests; services use a full client.
 */
export function redisCommand(url: string, args: string[], { timeoutMs = 3000 } = {}): Promise<RedisReply> {
  const u = new URL(url);
  const commands: string[][] = [];
  if (u.password) {
    const user = decodeURIComponent(u.username);
    commands.push(['AUTH', ...(user ? [user] : []), decodeURIComponent(u.password)]);
  }
  commands.push(args);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 6379) });
    let buf = Buffer.alloc(0);
    const replies: RedisReply[] = [];
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(infraError(InfraErrorCode.StartTimeout, `Redis at ${u.host} did not answer`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = parse(buf, 0);
        if (!r) return;
        buf = buf.subarray(r.end);
        if (r.value instanceof Error) return fail(r.value);
        replies.push(r.value);
        if (replies.length === commands.length) {
          socket.end();
          return resolve(replies[replies.length - 1]!);
        }
      }
    });
  });
}
