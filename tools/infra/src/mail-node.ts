import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SMTPServer } from 'smtp-server';

export interface MailNodeOptions {
  /** Instance folder; the mailbox is `<dir>/Maildir` (`tmp/`, `new/`, `cur/`). */
  dir: string;
  port: number;
  /** Loopback by default. */
  host?: string;
  /** Largest message accepted (SIZE extension); larger ones get 552. Default 10 MiB. */
  maxMessageBytes?: number;
  log?: (msg: string) => void;
}

export interface StoredMail {
  /** File name in `Maildir/new`. */
  file: string;
  /** The message as delivered: `Return-Path` and `Delivered-To` added in front of what the client sent. */
  raw: Buffer;
}

/**
 * A real SMTP server (nodemailer's `smtp-server`) on a loopback port that delivers every message
 * it accepts into a Maildir on disk, one copy per recipient (D. J. Bernstein's Maildir: written to
 * `tmp/`, then renamed into `new/`, so a reader never sees half a message). No TLS, no AUTH: it is
 * for development and tests (`pnpm pipeline up`, the notifications tests). `stop()` closes it
 * (clients get connection refused, as with a server that is down); `start()` again serves the same
 * port and mailbox. Whoever starts it stops it.
 */
export class MailNode {
  private server: SMTPServer | undefined;
  private seq = 0;
  /** Messages accepted since the first start. */
  accepted = 0;

  constructor(readonly opts: MailNodeOptions) {}

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** Where a client sends: NOTIFICATIONS_SMTP_URL. */
  get url(): string {
    return `smtp://${this.host}:${this.opts.port}`;
  }

  get maildir(): string {
    return join(this.opts.dir, 'Maildir');
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(this.maildir, sub), { recursive: true });
    const maxBytes = this.opts.maxMessageBytes ?? 10 * 1024 * 1024;
    // Loaded on first start, so importing @wattstream/infra does not load an SMTP server.
    const { SMTPServer: Server } = await import('smtp-server');
    const server = new Server({
      banner: 'wattstream mail (Maildir)',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: maxBytes,
      logger: false,
      // A stop closes idle client connections at once rather than after the default 30 s.
      closeTimeout: 200,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => callback(err));
        stream.on('end', () => {
          if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(Object.assign(new Error('message exceeds the size limit'), { responseCode: 552 }));
          }
          try {
            const body = Buffer.concat(chunks);
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            const names = session.envelope.rcptTo.map((r) => this.deliver(from, r.address, body));
            this.accepted++;
            callback(null, `queued as ${names.join(' ')}`);
          } catch (err) {
            callback(Object.assign(err as Error, { responseCode: 451 }));
          }
        });
      },
    });
    server.on('error', (err) => this.opts.log?.(`mail server: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.server.once('error', onError);
      server.listen(this.opts.port, this.host, () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.opts.log?.(`mail server on ${this.url}, Maildir ${this.maildir}`);
  }

  /** Writes one message for one recipient: tmp/ first, then an atomic rename into new/. */
  private deliver(from: string, to: string, body: Buffer): string {
    const now = Date.now();
    const name = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++this.seq}.${hostname().replace(/[/:]/g, '_')}`;
    const header = Buffer.from(`Return-Path: <${from}>\r\nDelivered-To: ${to}\r\n`);
    const tmp = join(this.maildir, 'tmp', name);
    writeFileSync(tmp, Buffer.concat([header, body]));
    renameSync(tmp, join(this.maildir, 'new', name));
    return name;
  }

  /** The messages in `new/`, oldest first. */
  messages(): StoredMail[] {
    let files: string[];
    try {
      files = readdirSync(join(this.maildir, 'new'));
    } catch {
      return [];
    }
    const key = (f: string) => {
      const m = /^(\d+)\.M(\d+)P\d+Q(\d+)/.exec(f);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    };
    files.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
    return files.map((file) => ({ file, raw: readFileSync(join(this.maildir, 'new', file)) }));
  }

  /** Stops listening and closes client connections; the mailbox stays. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
