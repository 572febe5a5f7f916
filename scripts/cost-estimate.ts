/**
 * Estimated monthly cost of what a synthesized template creates that is billed by the month or the
 * hour (secrets and their replicas, KMS keys, interface endpoints per AZ, CloudWatch alarms), from
 * the committed price table scripts/prices.json (its date and source inside). Usage-based charges
 * are left out: the figure is a floor, for comparing stacks and designs (a key per secret or one per stack).
 */
import PRICES from './prices.json';

export interface RegionPrices {
  readonly secretPerMonth: number;
  readonly kmsKeyPerMonth: number;
  readonly interfaceEndpointPerAzHour: number;
  readonly alarmPerMonth: number;
}

export interface CostEstimate {
  /** US dollars per month. */
  readonly monthly: number;
  /** What the figure is made of, e.g. `{ secrets: 4, kmsKeys: 1 }` (counts, replicas and endpoint AZs included). */
  readonly counts: Record<string, number>;
  /** The region whose prices were used (us-east-1 when the template's region has none in the table). */
  readonly pricedAs: string;
  /** Whether a count had to be assumed (an endpoint whose subnets are not a literal list: 2 AZs). */
  readonly assumed: boolean;
}

/** AZs assumed for an interface endpoint whose subnet list is not known at synth. */
const ASSUMED_ENDPOINT_AZS = 2;

export function estimateMonthlyCost(template: { Resources?: Record<string, { Type: string; Properties?: any }> }, region: string,
  prices: { hoursPerMonth: number; regions: Record<string, RegionPrices> } = PRICES): CostEstimate {
  const pricedAs = prices.regions[region] ? region : 'us-east-1';
  const p = prices.regions[pricedAs];
  const counts = { secrets: 0, kmsKeys: 0, endpointAzs: 0, alarms: 0 };
  let assumed = false;
  for (const resource of Object.values(template.Resources ?? {})) {
    switch (resource.Type) {
      case 'AWS::SecretsManager::Secret': {
        // each replica is billed as a secret of its own
        const replicas = resource.Properties?.ReplicaRegions;
        counts.secrets += 1 + (Array.isArray(replicas) ? replicas.length : 0);
        break;
      }
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        counts.kmsKeys += 1;
        break;
      case 'AWS::EC2::VPCEndpoint': {
        if (resource.Properties?.VpcEndpointType !== 'Interface') break;
        const subnets = resource.Properties?.SubnetIds;
        if (Array.isArray(subnets)) {
          counts.endpointAzs += subnets.length;
        } else {
          counts.endpointAzs += ASSUMED_ENDPOINT_AZS;
          assumed = true;
        }
        break;
      }
      case 'AWS::CloudWatch::Alarm':
        counts.alarms += 1;
        break;
    }
  }
  const monthly = counts.secrets * p.secretPerMonth + counts.kmsKeys * p.kmsKeyPerMonth
    + counts.endpointAzs * p.interfaceEndpointPerAzHour * prices.hoursPerMonth + counts.alarms * p.alarmPerMonth;
  return { monthly: Math.round(monthly * 100) / 100, counts, pricedAs, assumed };
}

/** `$12.34/mo`, with `~` when a count was assumed and the region priced as when not its own. */
export function formatCost(estimate: CostEstimate, region: string): string {
  return `${estimate.assumed ? '~' : ''}$${estimate.monthly.toFixed(2)}/mo${estimate.pricedAs !== region ? ` (${estimate.pricedAs} prices)` : ''}`;
}

/** The table's date and source, for the summary's footnote. */
export const PRICE_TABLE = { recorded: PRICES.recorded, source: PRICES.source };
