import type { ServiceContext } from '@wattstream/kernel';

export type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
