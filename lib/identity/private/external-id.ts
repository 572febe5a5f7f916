import { Token } from 'aws-cdk-lib';

/** The characters and length STS accepts for `ExternalId` (AssumeRole API reference). */
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
const MIN_LENGTH = 2;
const MAX_LENGTH = 1224;

/** Below this length an ExternalId is short enough to enumerate or to collide between customers. */
const GUESSABLE_BELOW_LENGTH = 16;

/**
 * Throws unless `externalId` is one STS accepts. `where` names the caller for the message.
 * Unresolved tokens are not checked: their value is only known at deploy time.
 */
export function validateExternalId(where: string, externalId: string): void {
  if (Token.isUnresolved(externalId)) return;
  if (externalId.length < MIN_LENGTH || externalId.length > MAX_LENGTH) {
    throw new Error(`${where}: externalId must be ${MIN_LENGTH} to ${MAX_LENGTH} characters long (the limits of sts:AssumeRole), got ${externalId.length} characters ("${preview(externalId)}"); use a random value such as a UUID`);
  }
  const bad = [...externalId].find((c) => !EXTERNAL_ID_PATTERN.test(c));
  if (bad !== undefined) {
    throw new Error(`${where}: externalId may only contain letters, digits and + = , . @ : / - _ (the characters sts:AssumeRole accepts), got "${preview(externalId)}" with "${bad}"; use a random value such as a UUID`);
  }
}

/**
 * Why `externalId` looks guessable, or undefined when it looks random. An ExternalId is not a
 * secret, but a third party must not be able to guess another customer's one (the confused-deputy
 * guard relies on it being unique per customer), so it should be long and random like a UUID.
 */
export function guessableReason(externalId: string, trustedAccountIds: string[]): string | undefined {
  if (Token.isUnresolved(externalId)) return undefined;
  if (externalId.length < GUESSABLE_BELOW_LENGTH) {
    return `it is only ${externalId.length} characters long (random values of at least ${GUESSABLE_BELOW_LENGTH} are hard to guess)`;
  }
  if (trustedAccountIds.some((id) => externalId.includes(id))) {
    return 'it contains the trusted account id, which anyone who knows the account can derive';
  }
  if (new Set(externalId.toLowerCase()).size < 6) {
    return 'it repeats a handful of characters';
  }
  if (/(.)\1\1\1/.test(externalId)) {
    return 'it repeats the same character four times in a row';
  }
  if (!/\d/.test(externalId) && /[a-z]{4,}/i.test(externalId)) {
    return 'it has no digits and reads like words or a name';
  }
  // e.g. prod-external-id-2024: each part all letters or all digits, where random values mix them
  const parts = externalId.split(/[^a-z0-9]+/i).filter((p) => p.length > 0);
  if (parts.length > 1 && parts.every((p) => /^[a-z]+$/i.test(p) || /^\d+$/.test(p)) && parts.some((p) => /^[a-z]{3,}$/i.test(p))) {
    return 'it is made of words and numbers';
  }
  return undefined;
}

function preview(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}
