import { RotationError } from '../engine/errors';
import { parseJsonObject } from '../engine/secret-json';
import type { Strategy } from '../engine/handler';

/**
 * A random API key or password with no downstream system to update. If AWSCURRENT is a JSON
 * object, AWSPENDING is that object with `apiKey` replaced by a new random value (other fields
 * kept); if it does not start with `{`, AWSPENDING is just the new random value.
 */
export const randomKey: Strategy = {
  async buildPending(ctx, current) {
    const key = await ctx.newPassword();
    const json = tryObject(current.secretString, `the AWSCURRENT value of secret ${ctx.secretId}`);
    return json ? JSON.stringify({ ...json, apiKey: key }) : key;
  },
  checkPending(ctx, pending) {
    if (pending.secretString === '') throw new RotationError('the AWSPENDING value is empty');
    tryObject(pending.secretString, `the AWSPENDING value of secret ${ctx.secretId}`);
  },
  async setSecret(ctx) {
    ctx.log.info('skipped', 'random-key has no downstream system to update');
  },
  async testSecret(ctx) {
    const pending = await ctx.readPending();
    const json = tryObject(pending.secretString, `the AWSPENDING value of secret ${ctx.secretId}`);
    const key = json ? json.apiKey : pending.secretString;
    if (typeof key !== 'string' || key.length < ctx.config.passwordLength) {
      throw new RotationError(`the AWSPENDING value of secret ${ctx.secretId} holds no new key of ${ctx.config.passwordLength} characters`);
    }
    ctx.log.info('verified', 'AWSPENDING holds a new key');
  },
};

/**
 * The secret as a JSON object; undefined for a plain string. A value that starts like an object
 * but does not parse is an error rather than a plain string: replacing it would drop its fields.
 */
function tryObject(text: string, what: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  return parseJsonObject(text, what);
}
