import { WattstreamError } from '@wattstream/platform';
import type { FastifyRequest } from 'fastify';
import { TrainingErrorCode } from './errors.js';

/** Headroom for the multipart framing around the file itself. */
const FRAMING = 64 * 1024;

export interface Upload {
  file: Buffer;
  filename: string;
  fields: Record<string, string>;
}

const malformed = (message: string, status = 400) =>
  new WattstreamError(TrainingErrorCode.UploadMalformed, message, { statusCode: status });
const tooLarge = (limit: number) =>
  new WattstreamError(
    TrainingErrorCode.UploadTooLarge,
    `the upload is larger than ${Math.round(limit / 1024 / 1024)} MiB, the most this service accepts`,
    { statusCode: 413 },
  );

/**
 * Reads a `multipart/form-data` request with one file in field `file` (and the named text fields),
 * refusing by size before parsing anything: a declared Content-Length over the limit is refused
 * before a byte of the body is read, and a streamed body is cut off at the limit.
 */
export async function readUpload(
  req: FastifyRequest,
  limit: number,
  allowedFields: readonly string[],
): Promise<Upload> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit + FRAMING) throw tooLarge(limit);
  if (!req.isMultipart()) throw malformed('send the file as multipart/form-data, in a field named `file`', 415);
  let file: Buffer | undefined;
  let filename = '';
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({
      limits: { fileSize: limit, files: 1, fields: 8, fieldSize: 1024, parts: 9 },
    })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw malformed(`unexpected file field \`${part.fieldname}\`: name it \`file\``);
        file = await part.toBuffer();
        filename = part.filename;
      } else if (allowedFields.includes(part.fieldname)) {
        fields[part.fieldname] = String(part.value);
      } else {
        throw malformed(`unexpected field \`${part.fieldname}\` (known: file, ${allowedFields.join(', ') || 'none'})`);
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limit);
    if (typeof code === 'string' && code.startsWith('FST_') && !(err instanceof WattstreamError)) {
      throw malformed(`the multipart body is not usable: ${(err as Error).message}`);
    }
    throw err;
  }
  if (!file) throw malformed('the request has no `file` field');
  if (file.length === 0) throw malformed('the uploaded file is empty', 422);
  return { file, filename, fields };
}
