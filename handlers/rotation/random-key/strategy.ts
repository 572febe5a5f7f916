import { RotationError } from '../engine/errors';
import type { Strategy } from '../engine/handler';

/**
 * A random API key or password with no downstream system to update. If AWSCURRENT is a JSON
 * object, AWSPENDING is that object with `apiKey` replaced by a new random value (other fields
 * kept); otherwise AWSPENDING is just the new random value.
 */
export const randomKey: Strategy = {
  async buildPending(ctx, current) {
    const key = await ctx.newPassword();
    const json = tryObject(current.secretString);
    return json ? JSON.stringify({ ...json, apiKey: key }) : key;
  },
  checkPending(_ctx, pending) {
    if (pending.secretString === '') throw new RotationError('the AWSPENDING value is empty');
  },
  async setSecret(ctx) {
    ctx.log.info('skipped', 'random-key has no downstream system to update');
  },
  async testSecret(ctx) {
    const pending = await ctx.readPending();
    const json = tryObject(pending.secretString);
    const key = json ? json.apiKey : pending.secretString;
    if (typeof key !== 'string' || key.length < ctx.config.passwordLength) {
      throw new RotationError(`the AWSPENDING value of secret ${ctx.secretId} holds no new key of ${ctx.config.passwordLength} characters`);
    }
    ctx.log.info('verified', 'AWSPENDING holds a new key');
  },
};

function tryObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
