import { compile, EdgeStatus } from '@wattstream/contracts';

const statusValidator = compile(EdgeStatus);

/**
 * Checks a payload for `v1/status/{edgeId}` (a publish or a Last Will) against the `EdgeStatus`
 * contract. Status messages are retained, so whatever passes is what every later subscriber
 * reads: returns why it does not pass, or undefined when it does.
 */
export function statusProblem(payload: Buffer | string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return 'status is not JSON; send an EdgeStatus {"state","ts",…}';
  }
  const r = statusValidator.validate(value);
  return r.ok ? undefined : r.error.message;
}
