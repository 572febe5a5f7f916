/**
 * Prices for the cost section (USD, us-east-1, on-demand). What is billed by the month or the hour
 * comes from the table the synth summary uses (scripts/prices.json, its date and sources inside);
 * the usage-based prices that table leaves out are here, as published on 2026-12-01:
 * https://aws.amazon.com/secrets-manager/pricing/, https://aws.amazon.com/kms/pricing/,
 * https://aws.amazon.com/lambda/pricing/.
 */
import TABLE from '../scripts/prices.json';

const MONTHLY = TABLE.regions['us-east-1'];

export const PRICES = {
  date: TABLE.recorded,
  region: 'us-east-1',
  /** Per secret per month (replicas count as secrets). */
  secretMonth: MONTHLY.secretPerMonth,
  /** Per 10,000 Secrets Manager API calls. */
  secretsManagerPer10kCalls: 0.05,
  /**
   * Per customer-managed KMS key per month. With automatic rotation each of the first two rotations
   * adds $1/month (so $2 in the second year, $3 from the third): the figure here is the first year's.
   */
  kmsKeyMonth: MONTHLY.kmsKeyPerMonth,
  /** Per 10,000 KMS requests (beyond the free tier of 20,000 a month, ignored here). */
  kmsPer10kRequests: 0.03,
  /** Per Lambda request, and per GB-second (x86). */
  lambdaRequest: 0.20 / 1e6,
  lambdaGbSecond: 0.0000166667,
  /** Per interface VPC endpoint per availability zone per hour (the same for both approaches when used). */
  interfaceEndpointAzHour: MONTHLY.interfaceEndpointPerAzHour,
} as const;

/** Secrets Manager calls of one rotation: describe, get and put of the versions, stage updates. */
const CALLS_PER_ROTATION = 10;

/**
 * Monthly cost of `secrets` secrets and `kmsKeys` keys with `rotations` rotations a month, each 4
 * invocations of `invocationMs` at `memoryMb`.
 */
export function monthlyCost(input: { secrets: number; kmsKeys: number; rotations: number; invocationMs: number; memoryMb: number }): number {
  const invocations = input.rotations * 4;
  const lambda = invocations * PRICES.lambdaRequest + invocations * (input.invocationMs / 1000) * (input.memoryMb / 1024) * PRICES.lambdaGbSecond;
  const api = (input.rotations * CALLS_PER_ROTATION / 10_000) * PRICES.secretsManagerPer10kCalls;
  return input.secrets * PRICES.secretMonth + input.kmsKeys * PRICES.kmsKeyMonth + lambda + api;
}
