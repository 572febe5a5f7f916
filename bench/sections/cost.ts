/**
 * Section 5: resources, KMS keys and the estimated monthly cost per rotated secret, for N = 1, 10 and
 * 100 secrets rotated every 30 days: ours against aws-cdk-lib's hosted rotation (its nested stack and
 * function counted). Prices: bench/prices.ts. A rotation is 4 Lambda invocations; their duration is the
 * median full rotation of section 4 when it ran in the same run (else 1 s), its memory each function's
 * (ours 256 MB; the hosted template sets none, so Lambda's default of 128 MB). Secrets Manager calls per
 * rotation: ~10 (describe, get and put of the versions, update stages). Endpoints and NAT are left out:
 * both need the same route to Secrets Manager.
 */
import { monthlyCost, PRICES } from '../prices';
import { added, SCALE_NS } from './rotation-scale';
import { fmtUsd, ratio, round, Row } from '../support';

const ROTATIONS_PER_MONTH = 30 / 30;


export function runCost(opts: { rotationMs?: number }): { rows: Row[]; results: object } {
  const stepMs = (opts.rotationMs ?? 1000) / 4;
  const rows: Row[] = [];
  const results: Record<string, unknown> = { prices: PRICES, invocationMs: stepMs, byN: {} };
  for (const n of SCALE_NS) {
    const ours = added('ours', n);
    const hosted = added('hosted', n);
    const cost = {
      ours: monthlyCost({ secrets: ours.secrets, kmsKeys: ours.kmsKeys, rotations: n * ROTATIONS_PER_MONTH, invocationMs: stepMs, memoryMb: 256 }),
      hosted: monthlyCost({ secrets: hosted.secrets, kmsKeys: hosted.kmsKeys, rotations: n * ROTATIONS_PER_MONTH, invocationMs: stepMs, memoryMb: 128 }),
    };
    (results.byN as Record<number, unknown>)[n] = {
      ours: { resources: ours.resources, kmsKeys: ours.kmsKeys, monthlyUsd: round(cost.ours, 4), perSecretUsd: round(cost.ours / n, 4) },
      hosted: { resources: hosted.resources, kmsKeys: hosted.kmsKeys, monthlyUsd: round(cost.hosted, 4), perSecretUsd: round(cost.hosted / n, 4) },
    };
    const text = (x: typeof ours, c: number) => `${fmtUsd(c / n)}/secret-month, ${round(x.resources / n, 1)} res/secret, ${x.kmsKeys} KMS key${x.kmsKeys === 1 ? '' : 's'}`;
    rows.push({
      section: '5 cost per secret',
      measure: `N=${n} (vs HostedRotation)`,
      ours: text(ours, cost.ours),
      other: text(hosted, cost.hosted),
      ratio: ratio(cost.ours, cost.hosted),
      note: n === 1 ? `${PRICES.region} prices of ${PRICES.date}; keys at first-year price (rotated keys cost up to $3/month from year 3)` : undefined,
    });
  }
  return { rows, results };
}
