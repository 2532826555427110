import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir, testDatabase } from '@wattstream/infra/testing';
import { ServiceProcess } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Deployable, entryCommand, NODE_IMAGE } from '../src/index.js';
import { type Obj, rendered, repoRoot, run, tool } from './support.js';

// kubectl kustomize of three overlays: minutes on a loaded 2-core machine, paid once per file, not by the first test
beforeAll(() => void rendered(), 300_000);

const dockerfile = (d: Deployable) => join(repoRoot, 'k8s/images', `${d.name}.Dockerfile`);

describe('Dockerfiles', () => {
  it('pass hadolint (2.15.1, default rules, warnings fail)', () => {
    const files = rendered().r.deployables.map(dockerfile);
    const res = run(tool('hadolint'), ['--failure-threshold', 'warning', ...files]);
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('hadolint refuses a careless one', () => {
    const bad = join(tempDir('hadolint'), 'Dockerfile');
    writeFileSync(bad, 'FROM node:latest\nRUN apt-get update && apt-get install -y curl\nADD . /app\n');
    const res = run(tool('hadolint'), ['--failure-threshold', 'warning', bad]);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toMatch(/DL3007/);
    expect(res.stdout).toMatch(/DL3008/);
  });

  it('build on the digest-pinned Node 24 trixie base, run non-root read-only with a HEALTHCHECK, carry OCI labels', () => {
    for (const d of rendered().r.deployables) {
      const text = readFileSync(dockerfile(d), 'utf8');
      expect(text).toContain(`ARG NODE_IMAGE=${NODE_IMAGE.name}@${NODE_IMAGE.digest}`);
      expect(text.match(/^FROM \$\{NODE_IMAGE\}/gm)).toHaveLength(2);
      expect(text).toMatch(/pnpm fetch\n/);
      expect(text).toContain(`deploy --filter ${d.package} --prod /out`);
      expect(text).toMatch(/^USER 1000:1000$/m);
      expect(text).toMatch(new RegExp(`^HEALTHCHECK .*127\\.0\\.0\\.1:${d.http.port}/healthz`, 'm'));
      for (const l of ['title', 'description', 'source', 'version', 'revision', 'created', 'base.digest']) {
        expect(text).toContain(`org.opencontainers.image.${l}=`);
      }
      const [node, cli, ...args] = entryCommand(repoRoot, d);
      expect(text).toContain(`ENTRYPOINT ${JSON.stringify([node, cli])}\nCMD ${JSON.stringify(args)}`);
      // the Deployment runs the same command (image entrypoint + its args) with the UID the image sets
      const deployment = rendered().rendered.dev.docs.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === d.name,
      );
      if (deployment) {
        const c = (deployment.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
          .containers[0]!;
        expect(c.args).toEqual(args);
      }
    }
  });

  it('docker-compose.yml runs every deployable from its Dockerfile on the root infrastructure', () => {
    const compose = parse(readFileSync(join(repoRoot, 'k8s/images/docker-compose.yml'), 'utf8')) as {
      include: string[];
      services: Record<string, { build?: { dockerfile: string }; profiles: string[]; read_only?: boolean }>;
    };
    expect(compose.include).toEqual(['../../docker-compose.yml']);
    for (const d of rendered().r.deployables) {
      const s = compose.services[d.name]!;
      expect(s.build?.dockerfile).toBe(`k8s/images/${d.name}.Dockerfile`);
      expect(s.profiles).toEqual(['system']);
      expect(s.read_only).toBe(true);
    }
  });
});

/**
 * What an image runs, on this machine: the package as `pnpm deploy --prod` prunes it (the
 * Dockerfile's last build step), started with the image's entry command and the settings of its
 * Kubernetes ConfigMap pointed at the test infrastructure. ingest and users start until /readyz
 * (Kafka; Postgres and Kafka); the other commands must load from their pruned folder.
 */
describe('entry commands start from a `pnpm deploy --prod` folder', () => {
  const deployed = new Map<string, string>();
  const deploy = (pkg: string, out: string) =>
    new Promise<void>((ok, fail) => {
      const p = spawn('pnpm', ['--config.inject-workspace-packages=true', 'deploy', '--filter', pkg, '--prod', out], {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      p.stderr.on('data', (b: Buffer) => {
        err += b.toString();
      });
      p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`pnpm deploy ${pkg} failed:\n${err}`))));
    });
  const configOf = (name: string): Record<string, string> => {
    const cm = rendered().rendered.dev.docs.find(
      (o: Obj) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-config`,
    );
    return { ...((cm as { data?: Record<string, string> } | undefined)?.data ?? {}) };
  };
  const byName = (name: string) => rendered().r.deployables.find((d) => d.name === name)!;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    const dir = tempDir('k8s-deploy');
    // the packages' dist is what pnpm deploy ships
    const build = run(join(repoRoot, 'node_modules/.bin/tsc'), ['-b', 'ingest', 'stream', 'services/users']);
    expect(build.stdout + build.stderr).toBe('');
    const pkgs = [...new Set(rendered().r.deployables.map((d) => d.package))];
    await Promise.all(
      pkgs.map(async (pkg) => {
        const out = join(dir, pkg.replace('@wattstream/', ''));
        await deploy(pkg, out);
        deployed.set(pkg, out);
      }),
    );
  }, 180_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
  });

  const start = async (d: Deployable, env: Record<string, string>) => {
    const root = deployed.get(d.package)!;
    const [, cli, ...args] = entryCommand(repoRoot, d, root);
    const port = await freePort();
    const p = new ServiceProcess({
      cli: cli!,
      args,
      cwd: root,
      env: { ...configOf(d.name), DATA_DIR: join(tempDir(`data-${d.name}`)), [d.http.env]: String(port), ...env },
      httpUrl: `http://127.0.0.1:${port}`,
    });
    procs.push(p);
    await p.start(60_000);
    return p;
  };

  it('ingest serve: ready (Kafka reachable) with its MQTT listeners', async () => {
    const d = byName('ingest');
    const p = await start(d, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
      MQTT_PORT: String(await freePort()),
      MQTT_WS_PORT: String(await freePort()),
      MQTT_HOST: '127.0.0.1',
    });
    expect(await p.metric('wattstream_ingest_connections')).toBe(0);
    expect(await p.stop()).toBe(0);
  });

  it('users serve: ready (migrated Postgres, Kafka) and answers its JWKS', async () => {
    const d = byName('users');
    const db = await testDatabase('users');
    try {
      const p = await start(d, {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
        DATABASE_URL: db.url,
        BIND_HOST: '127.0.0.1',
        KAFKA_CREATE_TOPICS: 'true',
      });
      const jwks = (await (await fetch(`${p.o.httpUrl}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      expect(await p.stop()).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('every other entry command loads its whole module graph from the pruned folder', () => {
    for (const d of rendered().r.deployables.filter((x) => !['ingest', 'users'].includes(x.name))) {
      const root = deployed.get(d.package)!;
      const [node, cli, ...args] = entryCommand(repoRoot, d, root);
      expect(node).toBe('node');
      const res = run(process.execPath, [cli!, ...args, '--help'], { cwd: root });
      expect(res.status, `${d.name}: ${res.stderr}`).toBe(0);
      expect(res.stdout).toContain('Usage:');
    }
    // one cold node start per deployable (13 of them), one after another
  }, 120_000);
});
