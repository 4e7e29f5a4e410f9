import { randomUUID } from 'node:crypto';
import { POSTURE_CALLBACK_TYP, type PostureCallbackClaims } from '@cabc/contracts';
import type { NewOutboxMessage } from '@cabc/outbox';
import { CERTIFICATION_BODY_TOPIC } from '../scopes/scope-decisions.ts';
import { unsignedCallbackRow } from './send-time-signing.ts';

export interface PostureCallbackTarget {
  issuer: string;
  audience: string;
  certificationBodyUrl: string;
}

/** A checkpoint as the ledger signs it, or undefined without a ledger. */
export type SignCheckpoint = () => Promise<{ size: number; rootHash: Buffer; note: string }>;

/**
 * The outbox row of a posture callback (a change or a re-statement) to the certification body, in the ToE's order;
 * signed when sent. `checkpoint` is the auditor's signed ledger checkpoint taken after the evidence was read.
 */
export function postureCallbackRow(
  target: PostureCallbackTarget,
  fields: Omit<PostureCallbackClaims, 'iss' | 'aud' | 'iat' | 'jti' | 'ledgerCheckpoint'>,
  checkpoint: Awaited<ReturnType<SignCheckpoint>> | undefined,
): NewOutboxMessage {
  const claims: Omit<PostureCallbackClaims, 'iat'> = {
    iss: target.issuer,
    aud: target.audience,
    jti: randomUUID(),
    ...fields,
    ledgerCheckpoint: checkpoint
      ? { size: checkpoint.size, rootHash: checkpoint.rootHash.toString('base64'), note: checkpoint.note }
      : null,
  };
  return unsignedCallbackRow(
    { typ: POSTURE_CALLBACK_TYP, claims },
    {
      topic: CERTIFICATION_BODY_TOPIC,
      orderingKey: fields.toe,
      destination: new URL('/v1/callbacks/assessment', target.certificationBodyUrl).toString(),
    },
  );
}
