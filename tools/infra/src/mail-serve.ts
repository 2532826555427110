import { createServer } from 'node:http';
import { createRegistry, Gauge } from '@wattstream/platform';
import { MailNode } from './mail-node.js';

/**
 * `infra mail`: the local mail server as a process of its own, for the main job (whose launcher
 * exits once everything is up). `/readyz` answers 200 while SMTP accepts, `/metrics` counts the
 * messages; SIGTERM or SIGINT stop both.
 */
export async function serveMail(o: { port: number; httpPort: number; dir: string; log: (msg: string) => void }) {
  const mail = new MailNode({ dir: o.dir, port: o.port, log: o.log });
  await mail.start();
  const registry = createRegistry('mail');
  new Gauge({
    name: 'wattstream_mail_accepted_messages',
    help: 'messages the local SMTP server accepted since it started',
    registers: [registry],
    collect() {
      this.set(mail.accepted);
    },
  });
  const http = createServer((req, res) => {
    if (req.url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    const ok = mail.running && (req.url === '/readyz' || req.url === '/healthz');
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { status: 'ok', accepted: mail.accepted } : { status: 'not found' }));
  });
  await new Promise<void>((resolve) => http.listen(o.httpPort, '127.0.0.1', resolve));
  const stop = async () => {
    http.close();
    await mail.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}
