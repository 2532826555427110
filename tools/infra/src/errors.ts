import { WattstreamError } from '@wattstream/platform';

export const InfraErrorCode = {
  NoJava: 'WS_INFRA_NO_JAVA',
  JavaTooOld: 'WS_INFRA_JAVA_TOO_OLD',
  NoMaven: 'WS_INFRA_NO_MAVEN',
  PortTaken: 'WS_INFRA_PORT_TAKEN',
  ProvisionFailed: 'WS_INFRA_PROVISION_FAILED',
  StartFailed: 'WS_INFRA_START_FAILED',
  StartTimeout: 'WS_INFRA_START_TIMEOUT',
} as const;

export const infraError = (code: string, message: string, cause?: unknown) =>
  new WattstreamError(code, message, cause === undefined ? {} : { cause });
