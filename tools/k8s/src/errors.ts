import { WattstreamError } from '@wattstream/platform';

export const K8sErrorCode = {
  /** `kubectl` (1.27+, for `kubectl kustomize`) is not on PATH and KUBECTL is unset. */
  NoKubectl: 'WS_K8S_NO_KUBECTL',
  /** `kubectl kustomize` failed on an overlay; its stderr is in the message. */
  KustomizeFailed: 'WS_K8S_KUSTOMIZE_FAILED',
  /** The committed k8s/ tree differs from what the table renders. */
  Drift: 'WS_K8S_DRIFT',
  UnknownEnv: 'WS_K8S_UNKNOWN_ENV',
  /** `pnpm release` without --dry-run: pushing and deploying is CI's job. */
  ReleaseNotDry: 'WS_K8S_RELEASE_NOT_DRY',
} as const;

export const k8sError = (code: string, message: string, cause?: unknown) =>
  new WattstreamError(code, message, cause === undefined ? {} : { cause });
