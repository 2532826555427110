import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';
import { javaBinary } from '@wattstream/infra';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  java: string;
}

function javaVersion(): string {
  // `java -version` prints to stderr.
  const r = spawnSync(javaBinary(), ['-version'], { encoding: 'utf8' });
  return `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n')[0]?.trim() || 'java not found';
}

let cached: MachineInfo | undefined;

/** What the figures were measured on; recorded with every result. */
export function machineInfo(): MachineInfo {
  cached ??= {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    java: javaVersion(),
  };
  return cached;
}
