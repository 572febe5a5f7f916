import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EXAMPLES } from '../../examples';
import { MfaRequired } from '../../lib/identity';
import { SecretAlerts } from '../../lib/secrets';
import { FLAG_SETS, FeatureFlags, testApp } from '../support/app';

/*
 * The confused deputy (issue 10): a resource policy that lets a service principal in must say on whose
 * behalf, or the service acts for anyone's resource, in any account. Every Allow for a service in a
 * resource policy of the library's templates (every example, plus the options no example uses that
 * add such statements) carries `aws:SourceArn`, or an encryption context that names the resource
 * (`kms:EncryptionContext:aws:cloudtrail:arn`, `...:aws:logs:arn`); a Lambda permission carries
 * `SourceArn`. The exemptions below are the calls for which AWS sends no source keys.
 *
 * Not scanned: role trust policies (`AssumeRolePolicyDocument`). A service assumes a role only for a
 * resource whose creator could pass it (`iam:PassRole`), which is the guard there (CloudTrail, for one,
 * sends no source keys when it assumes SecretAlerts' logs role).
 */

/** Keys that tie a service's request to one resource (or resource pattern) of ours. */
const SOURCE_KEYS = ['aws:SourceArn', 'kms:EncryptionContext:aws:cloudtrail:arn', 'kms:EncryptionContext:aws:logs:arn'];

/** Service statements that cannot name their source, and why. */
const EXEMPTIONS: { service: string; type: string; reason: string }[] = [
  {
    service: 'events.amazonaws.com', type: 'AWS::KMS::Key',
    reason: 'EventBridge sends no source keys on the KMS calls behind a publish to an encrypted SNS topic (SNS developer guide, Key management: '
      + 'source conditions are "not supported for EventBridge-to-encrypted topics"), so any condition would stop every alert; the topic policy names the rules (aws:SourceArn) instead',
  },
];

interface Finding { readonly where: string; readonly service: string; readonly type: string; readonly keys: string[] }

/** Every Allow for a service principal in a resource policy of `stack`, with the condition keys it carries. */
function serviceGrants(stack: Stack): Finding[] {
  const findings: Finding[] = [];
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  for (const [id, resource] of Object.entries(resources)) {
    const where = `${stack.stackName}/${id}`;
    if (resource.Type === 'AWS::Lambda::Permission') {
      const props = resource.Properties as Record<string, unknown>;
      if (typeof props.Principal === 'string' && props.Principal.endsWith('.amazonaws.com')) {
        const keys = [...(props.SourceArn ? ['aws:SourceArn'] : []), ...(props.SourceAccount ? ['aws:SourceAccount'] : [])];
        findings.push({ where, service: props.Principal, type: resource.Type, keys });
      }
      continue;
    }
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
      if (value === null || typeof value !== 'object') return;
      const statement = value as Record<string, any>;
      const services = statement.Principal?.Service;
      if (services !== undefined && statement.Effect === 'Allow') {
        const keys = Object.values((statement.Condition ?? {}) as Record<string, Record<string, unknown>>).flatMap((c) => Object.keys(c));
        for (const service of [services].flat()) findings.push({ where: `${where} ${path}`, service, type: resource.Type, keys });
      }
      for (const [key, child] of Object.entries(statement)) {
        if (key !== 'AssumeRolePolicyDocument') walk(child, path ? `${path}.${key}` : key);
      }
    };
    walk(resource.Properties, '');
  }
  return findings;
}

function libraryStacks(flags: FeatureFlags): Stack[] {
  const stacks = EXAMPLES.flatMap((example) => example.build(testApp({ featureFlags: flags })));
  // options that add service statements and that no example uses
  const options = new Stack(testApp({ featureFlags: flags }), 'Options', { env: { account: '111111111111', region: 'us-east-1' } });
  new SecretAlerts(options, 'Alerts', { createTrail: true });
  new MfaRequired(options, 'Mfa', { alertTopic: new sns.Topic(options, 'MfaAlerts', { enforceSSL: true }) });
  return [...stacks, options];
}

describe.each(FLAG_SETS)('service principals in the library\'s resource policies (%s feature flags)', (flags) => {
  const grants = libraryStacks(flags).flatMap(serviceGrants);
  const exempt = (g: Finding) => EXEMPTIONS.some((e) => e.service === g.service && e.type === g.type);

  test('the scan sees the services the library trusts (so an empty result cannot pass by accident)', () => {
    expect(new Set(grants.map((g) => g.service))).toEqual(new Set([
      'events.amazonaws.com', 'cloudtrail.amazonaws.com', 'logs.us-east-1.amazonaws.com', 'secretsmanager.amazonaws.com', 'logging.s3.amazonaws.com',
    ]));
  });

  test('every service statement names the source resource (aws:SourceArn or an encryption context), except the documented exemptions', () => {
    const unnamed = grants.filter((g) => !g.keys.some((k) => SOURCE_KEYS.includes(k)) && !exempt(g));
    expect(unnamed).toEqual([]);
  });

  test('an exemption covers only its own service and resource type', () => {
    const exempted = grants.filter((g) => exempt(g) && !g.keys.some((k) => SOURCE_KEYS.includes(k)));
    expect(new Set(exempted.map((g) => `${g.service} ${g.type}`))).toEqual(new Set(EXEMPTIONS.map((e) => `${e.service} ${e.type}`)));
  });

  test('every exemption is still needed, each with its reason', () => {
    for (const exemption of EXEMPTIONS) {
      expect(exemption.reason.length).toBeGreaterThan(40);
      expect(grants.filter((g) => g.service === exemption.service && g.type === exemption.type && !g.keys.some((k) => SOURCE_KEYS.includes(k)))).not.toEqual([]);
    }
  });
});
