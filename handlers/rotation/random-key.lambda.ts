// Rotation function for random API keys and passwords with no downstream system. No database driver.
import { createRotationHandler } from './engine/handler';
import { randomKey } from './random-key/strategy';

export type { RotationEvent } from './engine/types';

export const handler = createRotationHandler('random-key', { 'random-key': randomKey });
