import type { Logger } from 'pino';
import {
  CheckpointError,
  encodeLeaf,
  leafHash,
  parseAndVerifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type VerifiedCheckpoint,
} from '@cabc/ledger';
import { isRefusal, LedgerUnreachableError, type LedgerClient } from './ledger-watch.client.ts';
import { announcedSuccessor } from './ledger-watch.key-rotation.ts';
import type { ReceiptVerifier } from './receipt-verifier.ts';
import type { Delivery, LedgerWatchRepository, NewFailure, WatchedReceipt } from './ledger-watch.repository.ts';

export interface WatchRun {
  /** Receipts newly taken under watch. */
  receiptsAdded: number;
  /** The size of the checkpoint this run checked against; null when there was none (or it was refused). */
  checkpointSize: number | null;
  /** Receipts whose inclusion and stored entry were checked. */
  receiptsChecked: number;
  /** Failures newly recorded by this run. */
  failures: NewFailure[];
  /** Why the run stopped early without a verdict (service unreachable, database error); null otherwise. */
  error: string | null;
}

interface ReceiptClaims {
  sub?: unknown;
  toe?: unknown;
  envelopeSha256?: unknown;
  sequence?: unknown;
  receivedAt?: unknown;
  logIndex?: unknown;
}

/** The claims of a receipt JWT (the auditor signed it; the watcher holds it as its statement). */
function claimsOf(receipt: string): ReceiptClaims | undefined {
  try {
    return JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString('utf8')) as ReceiptClaims;
  } catch {
    return undefined;
  }
}

const b64 = (value: string) => Buffer.from(value, 'base64');

function entryName(receipt: WatchedReceipt): string {
  return (
    `log index ${receipt.logIndex} (evidence ${receipt.evidenceId}, auditor evidence ${receipt.assessmentEvidenceId}, ` +
    `sequence ${receipt.sequence}, toe ${receipt.toe})`
  );
}

/**
 * The collector's watcher over the auditor's evidence ledger. Each run: takes new receipts under watch, fetches the
 * latest checkpoint, verifies its signature with the pinned note key and its consistency with the last checkpoint it
 * accepted, then checks a batch of receipts: inclusion of the leaf the collector computes from its own facts, and
 * that the auditor's stored evidence row still hashes to it. Failures are recorded, logged and shown on the status
 * endpoint; none of them is ever cleared automatically.
 */
export function createLedgerWatcher(deps: {
  repository: LedgerWatchRepository;
  client: LedgerClient;
  logger: Logger;
  /** Verifies each receipt's signature against the auditor's JWKS before its facts are trusted. */
  verifyReceipt: ReceiptVerifier;
  /** LEDGER_VERIFIER_KEY: the auditor's key from out of band; otherwise the first published key is pinned. */
  verifierKey?: string | undefined;
  batch?: number;
}) {
  const { repository, client, logger } = deps;
  const batch = deps.batch ?? 500;

  async function fail(run: WatchRun, failure: NewFailure): Promise<void> {
    if (await repository.recordFailure(failure)) {
      run.failures.push(failure);
      logger.error({ ledgerWatch: failure }, `evidence ledger check failed: ${failure.detail}`);
    }
  }

  async function watchDelivery(run: WatchRun, delivery: Delivery): Promise<void> {
    let answer: { evidenceId?: unknown; receipt?: unknown } | undefined;
    try {
      answer = JSON.parse(delivery.responseBody) as typeof answer;
    } catch {
      answer = undefined;
    }
    const receipt = typeof answer?.receipt === 'string' ? answer.receipt : null;
    const claims = receipt ? claimsOf(receipt) : undefined;
    const base = {
      evidenceId: delivery.evidenceId,
      org: delivery.org,
      toe: delivery.toe,
      envelopeSha256: delivery.envelopeSha256,
      receipt,
      assessmentEvidenceId: typeof claims?.sub === 'string' ? claims.sub : null,
      sequence: Number.isSafeInteger(claims?.sequence) ? (claims!.sequence as number) : null,
      receivedAt: typeof claims?.receivedAt === 'string' ? new Date(claims.receivedAt) : null,
      logIndex: Number.isSafeInteger(claims?.logIndex) ? (claims!.logIndex as number) : null,
      leafHash: null,
    };
    if (
      !claims ||
      base.sequence === null ||
      base.receivedAt === null ||
      Number.isNaN(base.receivedAt.getTime()) ||
      base.logIndex === null
    ) {
      // No receipt (e.g. a 409 answer) or one without a log index (the auditor runs without its ledger): nothing to watch.
      await repository.addReceipt({
        ...base,
        status: 'unlogged',
        failure: receipt ? 'the receipt carries no log index' : 'the answer holds no receipt',
      });
      return;
    }
    const badSignature = await deps.verifyReceipt(receipt!);
    if (badSignature) {
      await repository.addReceipt({ ...base, status: 'failed', failure: badSignature });
      await fail(run, {
        kind: 'bad_receipt_signature',
        detail: `evidence ${delivery.evidenceId}: ${badSignature}`,
        ...refs(base),
      });
      return;
    }
    const mismatch =
      claims.envelopeSha256 !== delivery.envelopeSha256
        ? `the receipt names envelope ${String(claims.envelopeSha256)}, but the collector delivered ${delivery.envelopeSha256}`
        : claims.toe !== delivery.toe
          ? `the receipt names ToE ${String(claims.toe)}, but the evidence is for ${delivery.toe}`
          : undefined;
    if (mismatch) {
      await repository.addReceipt({ ...base, status: 'failed', failure: mismatch });
      await fail(run, {
        kind: 'receipt_mismatch',
        detail: `evidence ${delivery.evidenceId}: ${mismatch}`,
        ...refs(base),
      });
      return;
    }
    const leaf = leafHash(
      encodeLeaf({
        envelopeSha256: delivery.envelopeSha256,
        sequence: base.sequence,
        receivedAt: base.receivedAt,
        toe: delivery.toe,
      }),
    );
    await repository.addReceipt({ ...base, leafHash: leaf, status: 'pending', failure: null });
    run.receiptsAdded += 1;
  }

  function refs(receipt: Pick<WatchedReceipt, 'evidenceId' | 'org' | 'assessmentEvidenceId' | 'logIndex'>) {
    return {
      evidenceId: receipt.evidenceId,
      org: receipt.org,
      assessmentEvidenceId: receipt.assessmentEvidenceId,
      logIndex: receipt.logIndex,
    };
  }

  async function trustedKey(): Promise<string> {
    const state = await repository.state();
    // A key the configured one announced (a rotation followed) stays pinned over the configured one.
    if (deps.verifierKey && state.pinnedBy !== 'announced') {
      if (state.verifierKey !== deps.verifierKey) await repository.pinKey(deps.verifierKey, 'config');
      return deps.verifierKey;
    }
    if (state.verifierKey) return state.verifierKey;
    const published = await client.verifierKey();
    await repository.pinKey(published, 'first_use');
    logger.warn(
      { verifierKey: published, ledgerUrl: client.baseUrl },
      'evidence ledger: note verifier key pinned on first use; set LEDGER_VERIFIER_KEY to pin one obtained out of band',
    );
    return published;
  }

  /** The new checkpoint, if it verifies and extends the last accepted one; failures recorded otherwise. */
  async function acceptCheckpoint(run: WatchRun, note: string, key: string): Promise<VerifiedCheckpoint | undefined> {
    let checkpoint: VerifiedCheckpoint;
    try {
      checkpoint = parseAndVerifyCheckpoint(note, [key]);
    } catch (error) {
      const successor = await announcedSuccessor(key, note, await client.jwks()).catch(() => undefined);
      if (successor) {
        await repository.pinKey(successor, 'announced');
        logger.warn(
          { verifierKey: successor, previousVerifierKey: key },
          'evidence ledger: the auditor rotated its note key, announced by the pinned key; following it',
        );
        return acceptCheckpoint(run, note, successor);
      }
      const reason = error instanceof CheckpointError ? error.reason : 'error';
      await fail(run, {
        kind: 'bad_checkpoint',
        detail: `the latest checkpoint does not verify with the pinned key ${key.split('+').slice(0, 2).join('+')} (${reason}): ${error instanceof Error ? error.message : String(error)}`,
        checkpointNotes: note,
      });
      return undefined;
    }
    const previous = await repository.latestCheckpoint();
    if (previous) {
      const both = `${previous.note}\n${note}`;
      if (checkpoint.size < previous.size) {
        await fail(run, {
          kind: 'log_shrank',
          detail: `the log shrank from ${previous.size} to ${checkpoint.size} entries`,
          checkpointSize: checkpoint.size,
          checkpointNotes: both,
        });
        return undefined;
      }
      if (checkpoint.size === previous.size) {
        if (!checkpoint.rootHash.equals(previous.rootHash)) {
          await fail(run, {
            kind: 'fork',
            detail: `two signed checkpoints of size ${checkpoint.size} have different roots: the log forked`,
            checkpointSize: checkpoint.size,
            checkpointNotes: both,
          });
          return undefined;
        }
        return checkpoint;
      }
      const proof = await client.consistency(previous.size, checkpoint.size);
      if (isRefusal(proof)) {
        await fail(run, {
          kind: 'proof_refused',
          detail: `no consistency proof from ${previous.size} to ${checkpoint.size} (HTTP ${proof.status}: ${proof.detail})`,
          checkpointSize: checkpoint.size,
          checkpointNotes: both,
        });
        return undefined;
      }
      if (
        !verifyConsistency(
          previous.size,
          checkpoint.size,
          proof.hashes.map(b64),
          previous.rootHash,
          checkpoint.rootHash,
        )
      ) {
        await fail(run, {
          kind: 'inconsistent',
          detail: `the checkpoint of size ${checkpoint.size} does not extend the one of size ${previous.size}: history was rewritten`,
          checkpointSize: checkpoint.size,
          checkpointNotes: both,
        });
        return undefined;
      }
    }
    await repository.addCheckpoint({
      origin: checkpoint.origin,
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      note,
    });
    return checkpoint;
  }

  async function checkReceipt(run: WatchRun, receipt: WatchedReceipt, checkpoint: VerifiedCheckpoint): Promise<void> {
    const index = receipt.logIndex!;
    const name = entryName(receipt);
    const entryFailure = async (kind: NewFailure['kind'], what: string) => {
      const detail = `${name}: ${what}`;
      await repository.markFailed(receipt.evidenceId, detail);
      await fail(run, { kind, detail, checkpointSize: checkpoint.size, ...refs(receipt) });
    };
    const proof = await client.inclusion(index, checkpoint.size);
    if (isRefusal(proof)) {
      await entryFailure(
        'not_included',
        `no inclusion proof in the tree of ${checkpoint.size} (HTTP ${proof.status}: ${proof.detail})`,
      );
      return;
    }
    if (!verifyInclusion(receipt.leafHash!, index, checkpoint.size, proof.hashes.map(b64), checkpoint.rootHash)) {
      await entryFailure(
        'not_included',
        `the receipt's entry is not in the signed tree of ${checkpoint.size} at this index (dropped or rewritten)`,
      );
      return;
    }
    const stored = await client.leaf(index);
    if (isRefusal(stored)) {
      await entryFailure(
        'stored_entry_differs',
        `the auditor cannot show its stored entry (HTTP ${stored.status}: ${stored.detail})`,
      );
      return;
    }
    if (stored.storedLeafHash === null) {
      await entryFailure('stored_entry_differs', 'the auditor no longer stores this evidence (deleted)');
      return;
    }
    if (!b64(stored.storedLeafHash).equals(receipt.leafHash!)) {
      await entryFailure(
        'stored_entry_differs',
        'the evidence the auditor stores now differs from what it received (changed or reordered)',
      );
      return;
    }
    await repository.markChecked(receipt.evidenceId, checkpoint.size);
    run.receiptsChecked += 1;
  }

  async function runOnce(): Promise<WatchRun> {
    const run: WatchRun = { receiptsAdded: 0, checkpointSize: null, receiptsChecked: 0, failures: [], error: null };
    try {
      for (
        let page = await repository.unwatchedDeliveries(1_000);
        page.length > 0;
        page = await repository.unwatchedDeliveries(1_000)
      ) {
        for (const delivery of page) await watchDelivery(run, delivery);
      }
      const key = await trustedKey();
      const note = await client.latestNote();
      if (note !== undefined) {
        const checkpoint = await acceptCheckpoint(run, note, key);
        if (checkpoint) {
          run.checkpointSize = checkpoint.size;
          const receipts = await repository.receiptsToCheck(checkpoint.size, batch);
          for (let start = 0; start < receipts.length; start += 8) {
            await Promise.all(
              receipts.slice(start, start + 8).map((receipt) => checkReceipt(run, receipt, checkpoint)),
            );
          }
        }
      }
      await repository.recordRun(null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run.error = message;
      await repository.recordRun(message).catch(() => {});
      if (error instanceof LedgerUnreachableError)
        logger.warn(
          { ledgerUrl: client.baseUrl, err: error },
          'evidence ledger unreachable; the watcher retries at the next interval',
        );
      else logger.error({ err: error }, 'evidence ledger watch run failed');
    }
    return run;
  }

  return { runOnce };
}

export type LedgerWatcher = ReturnType<typeof createLedgerWatcher>;
