import { ROTATION_STRATEGY_NAMES } from '../../../lib/secrets/private/rotation-contract';

/** The event Secrets Manager sends to a rotation function, once per step. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  /** Sent by Secrets Manager for newer rotations; not needed by our steps. */
  readonly RotationToken?: string;
}

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type StepName = (typeof STEPS)[number];

/** The strategies, named as the construct sets ROTATION_STRATEGY (the contract with lib/secrets). */
export const STRATEGY_NAMES = ROTATION_STRATEGY_NAMES;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export const STAGE_CURRENT = 'AWSCURRENT';
export const STAGE_PENDING = 'AWSPENDING';
export const STAGE_PREVIOUS = 'AWSPREVIOUS';
