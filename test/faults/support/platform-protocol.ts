import type { ServiceKey } from '@cabc/platform';

/** What the fault tests' platform process is started with (JSON in CABC_FAULTS_PLATFORM). */
export interface PlatformSpec {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  ports: Record<ServiceKey, number>;
  /** The local token issuer's private key (PKCS#8 PEM), the same in every incarnation so tokens outlive a crash. */
  issuerPem: string;
  logLevel: string;
  reconcileInterval: string;
  retryMaxDelay: string;
  env: Partial<Record<ServiceKey, Record<string, string>>>;
}

export type ToChild = { type: 'stop' | 'start'; id: number; service: ServiceKey };
export type ToParent =
  | { type: 'ready'; urls: Record<ServiceKey, string> }
  | { type: 'done'; id: number; error?: string };
