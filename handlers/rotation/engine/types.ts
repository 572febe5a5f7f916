/** The event Secrets Manager sends to a rotation function, once per step. */
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  /** Sent by Secrets Manager for newer rotations; not needed by our steps. */
  readonly RotationToken?: string;
}

export type StepName = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const STEPS: readonly StepName[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export type StrategyName =
  | 'postgres-single-user'
  | 'postgres-alternating-users'
  | 'mysql-single-user'
  | 'mysql-alternating-users'
  | 'random-key';

export const STRATEGY_NAMES: readonly StrategyName[] = [
  'postgres-single-user',
  'postgres-alternating-users',
  'mysql-single-user',
  'mysql-alternating-users',
  'random-key',
];

export const STAGE_CURRENT = 'AWSCURRENT';
export const STAGE_PENDING = 'AWSPENDING';
export const STAGE_PREVIOUS = 'AWSPREVIOUS';
