import { asList, Catalog, Entry } from './catalog';
import { subnetSharePolicy } from './resource-shares';
import type { PolicyDocument } from './types';

function statementsOf(doc: unknown): unknown[] {
  return asList((doc as PolicyDocument | undefined)?.Statement);
}

/** Actions a role's trust policy governs. */
export const TRUST_ACTIONS = /^sts:(AssumeRole|AssumeRoleWithSAML|AssumeRoleWithWebIdentity|TagSession|SetSourceIdentity|SetContext)$/i;

/** The default key policy KMS gives a key created without one: the account may use IAM policies. */
function defaultKeyPolicy(entry: Entry): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${entry.stack.partition}:iam::${entry.stack.account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

/**
 * The resource-based policy that governs `action` on the resource: a role's trust policy (sts:AssumeRole*),
 * a bucket policy, a secret's resource policy, a key policy, a topic or queue policy, or the statements
 * AWS::Lambda::Permission resources add to a function. Undefined when the resource has none.
 */
export function resourcePolicyOf(catalog: Catalog, entry: Entry, action: string): PolicyDocument | undefined {
  const physical = catalog.physical(entry);
  const merge = (docs: unknown[]): PolicyDocument | undefined => {
    const statements = docs.flatMap(statementsOf);
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  };
  const account = entry.stack.account;
  /** Documents (`docProp`) of `type` resources whose `keyProp` names this resource. */
  const attached = (type: string, keyProp: string, names: (v: unknown) => boolean, docProp = 'PolicyDocument', anyAccount = false) =>
    catalog.ofType(type, anyAccount ? undefined : account).filter((e) => names(catalog.prop(e, keyProp))).map((e) => catalog.prop(e, docProp));
  switch (entry.resource.Type) {
    case 'AWS::IAM::Role':
      return TRUST_ACTIONS.test(action) ? (catalog.prop(entry, 'AssumeRolePolicyDocument') as PolicyDocument) : undefined;
    case 'AWS::KMS::Key':
    case 'AWS::KMS::ReplicaKey':
      return (catalog.prop(entry, 'KeyPolicy') as PolicyDocument | undefined) ?? defaultKeyPolicy(entry);
    case 'AWS::S3::Bucket': {
      // bucket names are global: a bucket policy of any of the stacks may name it
      const ids = [physical.name(), physical.arn()];
      return merge(attached('AWS::S3::BucketPolicy', 'Bucket', (v) => ids.includes(v as string), 'PolicyDocument', true));
    }
    case 'AWS::SecretsManager::Secret': {
      const ids = [physical.arn(), physical.name()];
      return merge(attached('AWS::SecretsManager::ResourcePolicy', 'SecretId', (v) => ids.includes(v as string), 'ResourcePolicy'));
    }
    case 'AWS::SNS::Topic': {
      const arn = physical.arn();
      return merge([
        ...attached('AWS::SNS::TopicPolicy', 'Topics', (v) => asList(v).includes(arn)),
        ...attached('AWS::SNS::TopicInlinePolicy', 'TopicArn', (v) => v === arn),
      ]);
    }
    case 'AWS::SQS::Queue': {
      const url = physical.ref();
      return merge([
        ...attached('AWS::SQS::QueuePolicy', 'Queues', (v) => asList(v).includes(url)),
        ...attached('AWS::SQS::QueueInlinePolicy', 'Queue', (v) => v === url),
      ]);
    }
    case 'AWS::Lambda::Function':
      return merge([{ Statement: lambdaPermissionStatements(catalog, entry) }]);
    case 'AWS::ECR::Repository':
      return catalog.prop(entry, 'RepositoryPolicyText') as PolicyDocument | undefined;
    case 'AWS::DynamoDB::Table':
      return (catalog.prop(entry, 'ResourcePolicy') as { PolicyDocument?: PolicyDocument } | undefined)?.PolicyDocument;
    case 'AWS::Events::EventBus':
      return catalog.prop(entry, 'Policy') as PolicyDocument | undefined;
    case 'AWS::EC2::Subnet':
      // RAM shares, not a policy of the subnet, decide whether another account may use it
      return subnetSharePolicy(catalog, entry);
    default:
      return undefined;
  }
}

/** AWS::Lambda::Permission resources turned into the function policy statements Lambda would write. */
function lambdaPermissionStatements(catalog: Catalog, fn: Entry): unknown[] {
  const physical = catalog.physical(fn);
  const arn = physical.arn();
  const names = [arn, physical.name(), `${fn.stack.account}:function:${physical.name()}`];
  const statements: unknown[] = [];
  for (const e of catalog.ofType('AWS::Lambda::Permission', fn.stack.account)) {
    if (!names.includes(catalog.prop(e, 'FunctionName') as string)) continue;
    const p = Object.fromEntries(['Principal', 'Action', 'SourceArn', 'SourceAccount', 'PrincipalOrgID', 'FunctionUrlAuthType'].map((k) => [k, catalog.prop(e, k)]));
    const principal = String(p.Principal);
    const conditions: Record<string, Record<string, unknown>> = {};
    const add = (op: string, key: string, value: unknown) => { (conditions[op] ??= {})[key] = value; };
    if (p.SourceArn !== undefined) add('ArnLike', 'aws:SourceArn', p.SourceArn);
    if (p.SourceAccount !== undefined) add('StringEquals', 'aws:SourceAccount', p.SourceAccount);
    if (p.PrincipalOrgID !== undefined) add('StringEquals', 'aws:PrincipalOrgID', p.PrincipalOrgID);
    if (p.FunctionUrlAuthType !== undefined) add('StringEquals', 'lambda:FunctionUrlAuthType', p.FunctionUrlAuthType);
    statements.push({
      Sid: e.logicalId,
      Effect: 'Allow',
      Principal: principal === '*' ? '*' : /^\d{12}$/.test(principal) ? { AWS: `arn:${fn.stack.partition}:iam::${principal}:root` } : principal.startsWith('arn:') ? { AWS: principal } : { Service: principal },
      Action: p.Action,
      Resource: arn,
      ...(Object.keys(conditions).length ? { Condition: conditions } : {}),
    });
  }
  return statements;
}
