import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { InfraErrorCode, infraError } from './errors.js';
import { MIN_JAVA_MAJOR } from './versions.js';

const run = promisify(execFile);

/** The `java` to use: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH. */
export function javaBinary(env = process.env): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

export async function checkJava(java = javaBinary()): Promise<{ binary: string; major: number; version: string }> {
  let out: string;
  try {
    const r = await run(java, ['-version'], { timeout: 20_000 });
    out = `${r.stderr}${r.stdout}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') {
      throw infraError(
        InfraErrorCode.NoJava,
        `no java found (looked for "${java}"): install a JDK ${MIN_JAVA_MAJOR}+ (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
        err,
      );
    }
    throw infraError(InfraErrorCode.NoJava, `"${java} -version" failed: ${e.message}`, err);
  }
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(out);
  const first = Number(m?.[1] ?? 0);
  const major = first === 1 ? Number(m?.[2] ?? 0) : first;
  if (!m || major < MIN_JAVA_MAJOR) {
    throw infraError(
      InfraErrorCode.JavaTooOld,
      `Java ${MIN_JAVA_MAJOR}+ is required, found ${m ? `Java ${major}` : 'an unknown version'} at "${java}": install a newer JDK or point JAVA_HOME at one`,
    );
  }
  return { binary: java, major, version: m[0] };
}

export async function checkMaven(mvn = process.env.MVN ?? 'mvn'): Promise<string> {
  try {
    const r = await run(mvn, ['-v'], { timeout: 60_000 });
    return stripVTControlCharacters(r.stdout.split('\n')[0] ?? 'maven');
  } catch (err) {
    throw infraError(
      InfraErrorCode.NoMaven,
      `no Maven found (looked for "${mvn}"): it downloads Kafka and QuestDB from Maven Central once; install it (Debian: apt-get install maven) or set MVN`,
      err,
    );
  }
}

/** True when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isPortFree(port))) {
      throw infraError(
        InfraErrorCode.PortTaken,
        `port ${port} (${name}) on 127.0.0.1 is taken by another process: stop it, or choose another port (see pnpm infra up --help)`,
      );
    }
  }
}
