// The platform as a process of its own, for the fault tests: started by fault-cluster.ts with `fork`, killed with
// SIGKILL to crash it. Its configuration arrives in CABC_FAULTS_PLATFORM; it answers on the IPC channel.
import { createPrivateKey } from 'node:crypto';
import { signingKeyFrom } from '@cabc/crypto';
import { startPlatform, type ServiceKey } from '@cabc/platform';
import type { PlatformSpec, ToChild, ToParent } from './platform-protocol.ts';

const spec = JSON.parse(process.env.CABC_FAULTS_PLATFORM ?? '') as PlatformSpec;
const send = (message: ToParent) => process.send?.(message);

const platform = await startPlatform({
  databaseUrl: spec.databaseUrl,
  databasePrefix: 'faults',
  redisUrl: spec.redisUrl,
  queuePrefix: spec.queuePrefix,
  keyEncryptionSecret: 'fault-tests-key-encryption-secret',
  ports: spec.ports,
  logLevel: spec.logLevel,
  reconcileInterval: spec.reconcileInterval,
  retryMaxDelay: spec.retryMaxDelay,
  env: spec.env,
  tokenIssuer: await signingKeyFrom(createPrivateKey(spec.issuerPem)),
});

process.on('message', (message: ToChild) => {
  const done = (error?: unknown) => send({ type: 'done', id: message.id, ...(error ? { error: String(error) } : {}) });
  const service: ServiceKey = message.service;
  const work = message.type === 'stop' ? platform.stop(service) : platform.start(service);
  work.then(() => done(), done);
});
// The test process that started us is gone (it crashed or was killed): so are we.
process.once('disconnect', () => process.exit(1));
process.once('SIGTERM', () => {
  void platform.close().finally(() => process.exit(0));
});
send({ type: 'ready', urls: platform.urls });
