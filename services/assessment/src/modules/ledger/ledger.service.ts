import type { SigningKeyStore } from '@cabc/key-store';
import { publicKeyFromJwk } from '@cabc/crypto';
import { HttpProblem, NotFoundProblem, UnprocessableProblem } from '@cabc/http-kit';
import {
  consistencyProof,
  formatVerifierKey,
  inclusionProof,
  LedgerRangeError,
  rootAt,
  signCheckpoint,
  type LedgerRangeField,
} from '@cabc/ledger';
import { type LedgerRepository, type StoredCheckpoint, storedLeafHash } from './ledger.repository.ts';

/** Where each value the ledger library checks came from: `query:first`, `path:index`, ... */
type FieldNames = Partial<Record<LedgerRangeField, string>>;

/** A LedgerRangeError as 422 problem+json naming the parameter, the bound and the relation it broke. */
function rangeProblem(error: LedgerRangeError, names: FieldNames): HttpProblem {
  const field = names[error.field] ?? error.field;
  // The library's message names its own parameters ("size1 must be <= size2 (5), got 7"); use the API's names.
  let message = error.message;
  for (const [libraryName, apiField] of Object.entries(names)) {
    message = message.replaceAll(new RegExp(`\\b${libraryName}\\b`, 'g'), apiField.replace(/^(query|path):/, ''));
  }
  return new HttpProblem(422, 'ledger-range', 'Outside the log', message, {
    fields: [{ field, message: `must be ${error.relation} ${error.limit}, got ${error.value}` }],
    extensions: { limit: error.limit, relation: error.relation, value: error.value },
  });
}

async function withRangeProblems<T>(names: FieldNames, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LedgerRangeError) throw rangeProblem(error, names);
    throw error;
  }
}

/** Checkpoint signing, proofs and verifier keys of the evidence ledger. */
export function createLedgerService(deps: { ledger: LedgerRepository; keys: SigningKeyStore; origin: string }) {
  const { ledger, origin } = deps;

  async function signer() {
    const key = await deps.keys.active();
    return { key, verifierKey: formatVerifierKey(origin, key.publicKey) };
  }

  /** Signs the current tree head with the active auditor key, unless that key already signed this size. */
  async function checkpoint(): Promise<{ created: boolean; checkpoint: StoredCheckpoint }> {
    const size = await ledger.size();
    const rootHash = await rootAt(size, ledger.reader);
    const { key, verifierKey } = await signer();
    const note = signCheckpoint({ origin, size, rootHash }, { name: origin, privateKey: key.privateKey });
    return ledger.addCheckpoint({ origin, size, rootHash, kid: key.kid, verifierKey, note });
  }

  return {
    origin,
    checkpoint,

    /** For the periodic signer: a checkpoint only when the log grew since the latest one. */
    async checkpointIfGrown(): Promise<StoredCheckpoint | undefined> {
      const [size, latest] = await Promise.all([ledger.size(), ledger.latestCheckpoint()]);
      if (size === 0 || (latest && latest.size >= size)) return undefined;
      const signed = await checkpoint();
      return signed.created ? signed.checkpoint : undefined;
    },

    async latest(): Promise<StoredCheckpoint> {
      const latest = await ledger.latestCheckpoint();
      if (!latest) throw new NotFoundProblem('no checkpoint has been signed yet');
      return latest;
    },

    async ofSize(size: number): Promise<StoredCheckpoint> {
      const checkpoint = await ledger.checkpointOfSize(size);
      if (!checkpoint)
        throw new NotFoundProblem(`no checkpoint of size ${size}`, [
          { field: 'path:size', message: 'no checkpoint of this size' },
        ]);
      return checkpoint;
    },

    list: (options: { afterId: number; limit: number }) => ledger.listCheckpoints(options),

    /** The note verifier keys of the active auditor key (first) and of every retired one. */
    async verifierKeys(): Promise<{ active: string; all: string[] }> {
      const { verifierKey } = await signer();
      const { keys } = await deps.keys.jwks();
      const all = keys.map((jwk) => formatVerifierKey(origin, publicKeyFromJwk(jwk)));
      return { active: verifierKey, all: [verifierKey, ...all.filter((key) => key !== verifierKey)] };
    },

    /**
     * Inclusion proof of the leaf at `index` (or of the evidence `evidenceId`) in the tree of `size` leaves; without
     * a size, the latest checkpoint's size (the current tree size when none was signed yet).
     */
    async inclusion(query: { index?: number; evidenceId?: string; size?: number }) {
      let index = query.index;
      if (query.evidenceId !== undefined) {
        index = await ledger.indexOfEvidence(query.evidenceId);
        if (index === undefined) {
          throw new NotFoundProblem(`evidence ${query.evidenceId} is not in the log`, [
            { field: 'query:evidenceId', message: 'not in the log' },
          ]);
        }
      }
      if (index === undefined) {
        throw new UnprocessableProblem('ledger-query', 'Missing leaf', 'give index or evidenceId', [
          { field: 'query:index', message: 'index or evidenceId is required' },
        ]);
      }
      const treeSize = await ledger.size();
      const size = query.size ?? (await ledger.latestCheckpoint())?.size ?? treeSize;
      if (query.evidenceId !== undefined && index >= size) {
        // The evidence is in the log, only not in a tree that small: the size is what is out of range.
        throw new HttpProblem(
          422,
          'ledger-range',
          'Outside the log',
          `size must be > ${index} (the index of evidence ${query.evidenceId}), got ${size}`,
          {
            fields: [{ field: 'query:size', message: `must be > ${index}, got ${size}` }],
            extensions: { limit: index, relation: '>', value: size },
          },
        );
      }
      const names: FieldNames = { index: 'query:index', size: 'query:size' };
      const hashes = await withRangeProblems(names, () => inclusionProof(index, size, ledger.reader, { treeSize }));
      const [leaf] = await ledger.reader([{ level: 0, index }]);
      return { index, size, leafHash: leaf!, hashes };
    },

    async consistency(query: { first: number; second?: number }) {
      const treeSize = await ledger.size();
      const second = query.second ?? (await ledger.latestCheckpoint())?.size ?? treeSize;
      const hashes = await withRangeProblems({ size1: 'query:first', size2: 'query:second' }, () =>
        consistencyProof(query.first, second, ledger.reader, { treeSize }),
      );
      return { first: query.first, second, hashes };
    },

    /** The committed leaf hash at `index` and the one recomputed from the evidence row stored now. */
    async leaf(index: number) {
      const record = await withRangeProblems({ index: 'path:index' }, async () => {
        const treeSize = await ledger.size();
        if (!Number.isSafeInteger(index) || index < 0) throw new LedgerRangeError('index', index, '>=', 0, 'zero');
        if (index >= treeSize) throw new LedgerRangeError('index', index, '<', treeSize, 'the tree size');
        return ledger.leafAt(index);
      });
      if (!record) throw new NotFoundProblem(`no leaf ${index}`, [{ field: 'path:index', message: 'no such leaf' }]);
      const stored = record.stored ? storedLeafHash(record.stored) : undefined;
      return {
        index,
        leafHash: record.leafHash,
        storedLeafHash: stored ?? null,
        matches: stored?.equals(record.leafHash) ?? false,
      };
    },
  };
}

export type LedgerService = ReturnType<typeof createLedgerService>;
