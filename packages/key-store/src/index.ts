export {
  SigningKeyStore,
  type KeyStoreDatabase,
  type KeyInfo,
  type KeyStatus,
  type KeyStoreOptions,
} from './signing-key-store.ts';
export type { RefusedKey } from './key-chain.ts';
export { startKeyRotationTimer } from './key-rotation-timer.ts';
export { runKeysCommand, KEYS_USAGE, type KeysCommandResult } from './keys-command.ts';
