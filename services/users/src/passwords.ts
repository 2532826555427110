import { type Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * Argon2id, the memory-hard KDF the OWASP Password Storage Cheat Sheet recommends first, at its
 * baseline parameters: 19 MiB of memory, 2 iterations, 1 lane. @node-rs/argon2 ships prebuilt
 * binaries (no install script) and runs hashing off the event loop.
 */
const ARGON2ID = 2 satisfies Algorithm; // Algorithm.Argon2id (a const enum, which isolated modules cannot read)
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing in particular, verified when an e-mail is unknown so both answers take as long. */
let dummy: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hash('no such account — constant-time filler', PARAMS);
  await verifyPassword(await dummy, password);
  return false;
}
