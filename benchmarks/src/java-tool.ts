import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { javaBinary, libDir, provision } from '@wattstream/infra';

/** The command line that runs one of Kafka's own tools (kafka-tools jar), provisioned first. */
export async function kafkaToolCommand(mainClass: string, args: string[], heap = '1g'): Promise<[string, ...string[]]> {
  await provision('kafka');
  return [javaBinary(), `-Xmx${heap}`, '-cp', `${libDir('kafka')}/*`, mainClass, ...args];
}

/**
 * Runs one of Kafka's own command-line tools (kafka-tools jar) and streams its output lines.
 * Resolves with the exit code once the JVM has exited; `stop()` ends it early (SIGTERM).
 */
export async function runKafkaTool(
  mainClass: string,
  args: string[],
  onLine: (line: string) => void,
  prefix: string[] = [],
): Promise<{ done: Promise<number>; stop: () => void }> {
  const cmd = [...prefix, ...(await kafkaToolCommand(mainClass, args))];
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const done = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 143 : 1)));
  });
  return { done, stop: () => child.kill('SIGTERM') };
}
