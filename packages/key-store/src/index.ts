export { SigningKeyStore, type KeyStoreDatabase } from './signing-key-store.ts';
