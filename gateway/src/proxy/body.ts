import { KernelErrorCode, kernelError } from '@wattstream/kernel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayErrorCode, gatewayError } from '../errors.js';
import type { RouteMatch } from '../route-table/compile.js';

declare module 'fastify' {
  interface FastifyRequest {
    gw?: RouteMatch;
  }
}

/**
 * How deep a JSON text nests objects and arrays, scanning bytes (no parse), stopping as soon as it
 * passes `limit`. A deeply nested body is cheap to send and expensive to parse downstream.
 */
export function jsonDepthExceeds(buf: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export const tooLarge = (limit: number) =>
  kernelError(KernelErrorCode.HttpBodyTooLarge, `the body is larger than this route accepts (${limit} bytes)`, {
    statusCode: 413,
  });

/**
 * Bodies stay bytes at the gateway (they are passed on as they came), read only up to the matched
 * route's limit, and JSON ones are checked for depth.
 */
export function registerBodyReader(app: FastifyInstance, o: { maxJsonDepth: number; timeoutMs: number }): void {
  const { maxJsonDepth } = o;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req: FastifyRequest, payload, done) => {
    const limit = req.gw?.route.bodyLimit ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    // A client trickling its body holds a socket and a buffer: it gets a deadline for all of it.
    const timer = setTimeout(() => {
      finish(
        gatewayError(GatewayErrorCode.BodyTimeout, `the body did not arrive within ${o.timeoutMs} ms`, {
          statusCode: 408,
        }),
      );
    }, o.timeoutMs);
    const finish = (err: Error | null, body?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      payload.removeAllListeners('data');
      if (err) payload.resume(); // the rest is discarded; the answer carries Connection: close
      done(err, body);
    };
    payload.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge(limit));
      chunks.push(chunk);
    });
    payload.on('error', (err) => finish(err));
    payload.on('end', () => {
      const body = Buffer.concat(chunks, size);
      const type = req.headers['content-type'] ?? '';
      if (/\bjson\b/i.test(type) && jsonDepthExceeds(body, maxJsonDepth)) {
        return finish(
          gatewayError(GatewayErrorCode.BodyTooDeep, `the JSON body nests deeper than ${maxJsonDepth} levels`, {
            statusCode: 400,
          }),
        );
      }
      finish(null, body);
    });
  });
}
