import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './proc.js';

/** `$BENCH_NGINX`, else Debian's `/usr/sbin/nginx`. */
const nginxBinary = () => process.env.BENCH_NGINX || '/usr/sbin/nginx';

/**
 * Debian's nginx, installed with apt-get when missing and allowed (root), as scripts/lib/bootstrap.sh
 * installs other packages; otherwise an error that says how to get it.
 */
export function ensureNginx(log: (msg: string) => void): string {
  const bin = nginxBinary();
  if (existsSync(bin)) return bin;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`no nginx at ${bin}: install it (Debian: apt-get install nginx-light) or set BENCH_NGINX`);
  }
  log('installing Debian nginx (apt-get install nginx-light) …');
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'nginx-light'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: 'ignore',
    });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
    install();
  }
  if (!existsSync(bin)) throw new Error(`apt-get installed nginx-light but ${bin} is still missing`);
  return bin;
}

/**
 * nginx as a plain reverse proxy to `upstream` (one worker, keep-alive to the upstream, no access
 * log) on `port`, its files in `dir`, in the foreground; `stop()` ends it.
 */
export async function startNginx(o: {
  bin: string;
  dir: string;
  port: number;
  upstream: string;
  pin: string[];
}): Promise<{ proc: ChildProcess; stop(): Promise<void> }> {
  mkdirSync(join(o.dir, 'temp'), { recursive: true });
  const conf = join(o.dir, 'nginx.conf');
  const u = new URL(o.upstream);
  writeFileSync(
    conf,
    [
      'daemon off;',
      'worker_processes 1;',
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${join(o.dir, 'nginx.pid')};`,
      `error_log ${join(o.dir, 'error.log')} warn;`,
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${join(o.dir, 'temp')};`,
      `  proxy_temp_path ${join(o.dir, 'temp')};`,
      `  fastcgi_temp_path ${join(o.dir, 'temp')};`,
      `  uwsgi_temp_path ${join(o.dir, 'temp')};`,
      `  scgi_temp_path ${join(o.dir, 'temp')};`,
      '  keepalive_requests 1000000;',
      `  upstream backend { server ${u.host}; keepalive 64; }`,
      '  server {',
      `    listen 127.0.0.1:${o.port};`,
      '    location / {',
      '      proxy_pass http://backend;',
      '      proxy_http_version 1.1;',
      '      proxy_set_header Connection "";',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const cmd = [...o.pin, o.bin, '-c', conf, '-p', o.dir];
  const proc = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null)
      throw new Error(`nginx exited (code ${proc.exitCode}); see ${join(o.dir, 'error.log')}`);
    const ok = await fetch(`http://127.0.0.1:${o.port}/`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('nginx did not answer within 10 s');
    await sleep(100);
  }
  return {
    proc,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGQUIT');
      await exited;
    },
  };
}
