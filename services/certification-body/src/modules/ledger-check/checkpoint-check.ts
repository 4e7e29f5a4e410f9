import type { Logger } from 'pino';
import { parseAndVerifyCheckpoint, verifyConsistency, type VerifiedCheckpoint } from '@cabc/ledger';
import type { PostureCallbackClaims } from '@cabc/contracts';
import { HttpProblem, UnprocessableProblem } from '@cabc/http-kit';
import { AuditorLedgerUnavailableError, type AuditorLedgerClient } from './auditor-ledger.client.ts';
import type {
  AuditorCheckpointsRepository,
  ConsistencyLink,
  HeldCheckpoint,
  LedgerAlertKind,
} from './auditor-checkpoints.repository.ts';

const KEY_CACHE_MS = 60_000;
const b64 = (text: string) => Buffer.from(text, 'base64');

/**
 * The cross-check of the auditor's ledger a posture callback must pass before it is applied: its checkpoint verifies
 * with the auditor's note key, matches the size and root the claims state, and is consistent (RFC 9162 consistency
 * proof from the auditor's public ledger API) with the held checkpoints next to it by size, which makes every held
 * checkpoint one history. Refusals that show the auditor's log is not what it signed before are alerts: logged at
 * error level and recorded (`GET /v1/ledger-alerts`). The checkpoint is kept with the links that proved it.
 */
export function createCheckpointCheck(deps: {
  client: AuditorLedgerClient;
  checkpoints: AuditorCheckpointsRepository;
  logger: Logger;
  /** AUDITOR_LEDGER_VERIFIER_KEY: pinned out of band; otherwise the keys the auditor publishes are used. */
  verifierKeys?: string[] | undefined;
}) {
  let cached: { keys: string[]; at: number } | undefined;
  const publishedKeys = async (fresh: boolean): Promise<string[]> => {
    if (deps.verifierKeys) return deps.verifierKeys;
    if (!fresh && cached && Date.now() - cached.at < KEY_CACHE_MS) return cached.keys;
    cached = { keys: await deps.client.verifierKeys(), at: Date.now() };
    return cached.keys;
  };

  const unavailable = (error: AuditorLedgerUnavailableError) =>
    new HttpProblem(
      503,
      'auditor-ledger-unavailable',
      "Auditor's ledger unavailable",
      `the checkpoint could not be cross-checked with the auditor's ledger (${error.message}); send the callback again later`,
    );

  return async function check(claims: PostureCallbackClaims): Promise<void> {
    const stated = claims.ledgerCheckpoint;
    if (!stated) {
      throw new UnprocessableProblem(
        'missing-ledger-checkpoint',
        'No ledger checkpoint',
        'this certification body cross-checks the auditor ledger: a posture callback must carry the checkpoint covering its evidence',
        [{ field: 'claims.ledgerCheckpoint', message: 'required' }],
      );
    }
    const refuse = async (kind: LedgerAlertKind, detail: string, field: string, notes: string, size: number | null) => {
      await deps.checkpoints.alert({
        kind,
        detail,
        checkpointSize: size,
        notes,
        callbackJti: claims.jti,
        toe: claims.toe,
      });
      deps.logger.error({ ledgerAlert: { kind, size, toe: claims.toe, jti: claims.jti } }, `auditor ledger: ${detail}`);
      const type =
        kind === 'bad_signature' || kind === 'checkpoint_mismatch'
          ? 'invalid-ledger-checkpoint'
          : 'inconsistent-ledger-checkpoint';
      throw new UnprocessableProblem(type, 'Ledger checkpoint refused', detail, [{ field, message: detail }]);
    };

    let checkpoint: VerifiedCheckpoint | undefined;
    try {
      for (const fresh of [false, true]) {
        try {
          checkpoint = parseAndVerifyCheckpoint(stated.note, await publishedKeys(fresh));
          break;
        } catch (error) {
          if (error instanceof AuditorLedgerUnavailableError) throw error;
          if (fresh || deps.verifierKeys)
            await refuse(
              'bad_signature',
              `the checkpoint does not verify with the auditor's note key: ${error instanceof Error ? error.message : String(error)}`,
              'claims.ledgerCheckpoint.note',
              stated.note,
              stated.size,
            );
        }
      }
    } catch (error) {
      if (error instanceof AuditorLedgerUnavailableError) throw unavailable(error);
      throw error;
    }
    const verified = checkpoint!;
    if (verified.size !== stated.size || verified.rootHash.toString('base64') !== stated.rootHash) {
      await refuse(
        'checkpoint_mismatch',
        `the claims state size ${stated.size} root ${stated.rootHash}, the signed note size ${verified.size} root ${verified.rootHash.toString('base64')}`,
        'claims.ledgerCheckpoint',
        stated.note,
        stated.size,
      );
    }

    const { below, above } = await deps.checkpoints.neighbours(verified.size);
    const links: ConsistencyLink[] = [];
    for (const neighbour of [below, above].filter((held): held is HeldCheckpoint => held !== undefined)) {
      const notes = `${neighbour.note}\n${stated.note}`;
      if (neighbour.size === verified.size) {
        if (!neighbour.rootHash.equals(verified.rootHash))
          await refuse(
            'fork',
            `two signed checkpoints of size ${verified.size} have different roots: the log forked`,
            'claims.ledgerCheckpoint',
            notes,
            verified.size,
          );
        continue;
      }
      const [small, large] = neighbour.size < verified.size ? [neighbour, verified] : [verified, neighbour];
      let proof: Awaited<ReturnType<AuditorLedgerClient['consistency']>>;
      try {
        proof = await deps.client.consistency(small.size, large.size);
      } catch (error) {
        if (error instanceof AuditorLedgerUnavailableError) throw unavailable(error);
        throw error;
      }
      const hashes = 'hashes' in proof ? proof.hashes : undefined;
      if (!hashes || !verifyConsistency(small.size, large.size, hashes.map(b64), small.rootHash, large.rootHash)) {
        await refuse(
          'inconsistent',
          `the checkpoint of size ${verified.size} is not consistent with the one of size ${neighbour.size} held before ` +
            `(${hashes ? 'the consistency proof does not verify' : `no consistency proof: ${'refused' in proof ? proof.refused : ''}`}): the auditor's history was rewritten`,
          'claims.ledgerCheckpoint',
          notes,
          verified.size,
        );
      }
      links.push({ size: neighbour.size, rootHash: neighbour.rootHash.toString('base64'), proof: hashes! });
    }
    await deps.checkpoints.add({
      origin: verified.origin,
      size: verified.size,
      rootHash: verified.rootHash,
      note: stated.note,
      callbackJti: claims.jti,
      links,
    });
  };
}

export type CheckpointCheck = ReturnType<typeof createCheckpointCheck>;
