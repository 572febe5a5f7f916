import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Lambda's limit on a function's environment: the JSON of all its variables, in bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

/**
 * What a value known only at deploy time (an RDS endpoint address) is counted as: a generated
 * instance identifier, its 12-character suffix, the region and `rds.amazonaws.com` make about 64.
 */
export const DEPLOY_TIME_VALUE_LENGTH = 64;

/** The size Lambda measures of a function's environment, and each variable's share. */
export interface EnvironmentSize {
  /** Bytes of the JSON of all variables (what Lambda compares with its 4 KB limit). */
  readonly bytes: number;
  /** Some value is known only at deploy time, so `bytes` counts it as DEPLOY_TIME_VALUE_LENGTH. */
  readonly estimated: boolean;
  /** Bytes each variable adds (`"NAME":"value",`), largest first. */
  readonly variables: Array<{ name: string; bytes: number }>;
}

/** The size of `fn`'s environment as it will deploy. Call it at validation, when lazy values are final. */
export function environmentSize(fn: lambda.Function): EnvironmentSize {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const resolved = Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown>; Variables?: Record<string, unknown> } | undefined;
  const variables = resolved?.variables ?? resolved?.Variables ?? {};
  let estimated = false;
  const concrete = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    const intrinsic = (value ?? {}) as { 'Fn::Join'?: [string, unknown[]]; 'Fn::GetAtt'?: [string, string] };
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, parts] = intrinsic['Fn::Join'];
      return parts.map(concrete).join(delimiter);
    }
    estimated = true;
    // a port is at most 5 digits; anything else (an endpoint address, a reference) gets the estimate
    const attribute = intrinsic['Fn::GetAtt']?.[1];
    return 'x'.repeat(typeof attribute === 'string' && /Port$/.test(attribute) ? 5 : DEPLOY_TIME_VALUE_LENGTH);
  };
  const strings = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, concrete(value)]));
  const bytes = Buffer.byteLength(JSON.stringify(strings), 'utf8');
  const shares = Object.entries(strings)
    .map(([name, value]) => ({ name, bytes: Buffer.byteLength(`${JSON.stringify(name)}:${JSON.stringify(value)},`, 'utf8') }))
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes, estimated, variables: shares };
}
