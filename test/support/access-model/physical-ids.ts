import { createHash } from 'crypto';
import type { StackInfo, TemplateResource } from './stack-set';

/**
 * Deterministic physical names, ids and ARNs of resources, standing in for the ones CloudFormation
 * would generate at deploy time. A resource with an explicit name property uses it; one without gets
 * `<stackName>-<logicalId>` (lower-cased and shortened where the service requires).
 */

/** The property that names each resource type, when set. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Kinesis::Stream': 'Name',
  'AWS::CloudTrail::Trail': 'TrailName',
  'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
  'AWS::RDS::DBCluster': 'DBClusterIdentifier',
  'AWS::Organizations::OrganizationalUnit': 'Name',
  'AWS::Organizations::Policy': 'Name',
  'AWS::SSO::PermissionSet': 'Name',
  'AWS::CloudFormation::StackSet': 'StackSetName',
  'AWS::IAM::SAMLProvider': 'Name',
};

/** Services whose resources' generated names must be lower case and at most 63 characters. */
const LOWER_CASE_NAMES = new Set(['AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster']);

function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A deterministic 12-digit number from a seed (for ids of accounts created by the stacks). */
function digitsOf(seed: string, length: number): string {
  return BigInt('0x' + hashOf(seed)).toString().slice(0, length).padStart(length, '7');
}

export function uuidOf(seed: string): string {
  const h = hashOf(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function alnum(seed: string, length: number, upper = false): string {
  const alphabet = upper ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567' : 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const h = hashOf(seed);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

/** The same ARN in another region. */
export function withRegion(arn: string, region: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || !parts[3]) throw new Error(`AccessModel: '${arn}' is not a regional ARN, so it has no copy in ${region}.`);
  parts[3] = region;
  return parts.join(':');
}

/** Physical facts of one resource, computed lazily. */
export class PhysicalResource {
  constructor(
    private readonly stack: StackInfo,
    private readonly logicalId: string,
    private readonly resource: TemplateResource,
    /** One property of the resource, intrinsics resolved (supplied by the resolver). */
    private readonly prop: (name: string) => unknown,
  ) {}

  private get seed(): string {
    return `${this.stack.account}/${this.stack.region}/${this.stack.stackName}/${this.logicalId}`;
  }

  private readonly memo = new Map<string, string>();

  private once(key: string, compute: () => string): string {
    let v = this.memo.get(key);
    if (v === undefined) this.memo.set(key, v = compute());
    return v;
  }

  /** The resource's name: its name property, else `<stackName>-<logicalId>` shaped for the service. */
  public name(): string {
    return this.once('name', () => this.computeName());
  }

  private computeName(): string {
    const type = this.resource.Type;
    const nameProp = NAME_PROPERTY[type];
    const explicit = nameProp ? this.prop(nameProp) : undefined;
    if (typeof explicit === 'string') return explicit;
    let generated = `${this.stack.stackName}-${this.logicalId}`;
    if (LOWER_CASE_NAMES.has(type)) generated = generated.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 63);
    else if (type.startsWith('AWS::IAM::') || type === 'AWS::Lambda::Function') generated = generated.slice(0, 64);
    if (type === 'AWS::SNS::Topic' || type === 'AWS::SQS::Queue') generated = generated.slice(0, 80);
    if (type === 'AWS::KMS::Alias') generated = `alias/${generated}`;
    return generated;
  }

  private path(): string {
    const p = this.prop('Path');
    return typeof p === 'string' ? p : '/';
  }

  private arnPrefix(service: string, global = false): string {
    const { partition, region, account } = this.stack;
    return `arn:${partition}:${service}:${global ? '' : region}:${account}:`;
  }

  /** The resource's ARN (what `Fn::GetAtt [X, Arn]` returns). */
  public arn(): string {
    return this.once('arn', () => this.computeArn());
  }

  private computeArn(): string {
    const { partition, region, account } = this.stack;
    const n = this.name();
    switch (this.resource.Type) {
      case 'AWS::IAM::Role': return `${this.arnPrefix('iam', true)}role${this.path()}${n}`;
      case 'AWS::IAM::User': return `${this.arnPrefix('iam', true)}user${this.path()}${n}`;
      case 'AWS::IAM::Group': return `${this.arnPrefix('iam', true)}group${this.path()}${n}`;
      case 'AWS::IAM::ManagedPolicy': return `${this.arnPrefix('iam', true)}policy${this.path()}${n}`;
      case 'AWS::IAM::InstanceProfile': return `${this.arnPrefix('iam', true)}instance-profile${this.path()}${n}`;
      case 'AWS::IAM::SAMLProvider': return `${this.arnPrefix('iam', true)}saml-provider/${n}`;
      case 'AWS::IAM::OIDCProvider':
      case 'Custom::AWSCDKOpenIdConnectProvider':
        return `${this.arnPrefix('iam', true)}oidc-provider/${String(this.prop('Url') ?? n).replace(/^https:\/\//, '')}`;
      case 'AWS::S3::Bucket': return `arn:${partition}:s3:::${n}`;
      case 'AWS::SecretsManager::Secret': return `${this.arnPrefix('secretsmanager')}secret:${n}-${alnum(this.seed, 6)}`;
      // an attachment stands for the secret it attaches (SecretAttachment constructs are ISecrets)
      case 'AWS::SecretsManager::SecretTargetAttachment': return this.ref();
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return `${this.arnPrefix('kms')}key/${this.keyId()}`;
      case 'AWS::KMS::Alias': return `${this.arnPrefix('kms')}${n}`;
      case 'AWS::SNS::Topic': return `${this.arnPrefix('sns')}${n}`;
      case 'AWS::SQS::Queue': return `${this.arnPrefix('sqs')}${n}`;
      case 'AWS::Lambda::Function': return `${this.arnPrefix('lambda')}function:${n}`;
      case 'AWS::DynamoDB::Table': return `${this.arnPrefix('dynamodb')}table/${n}`;
      case 'AWS::Logs::LogGroup': return `${this.arnPrefix('logs')}log-group:${n}:*`;
      case 'AWS::SSM::Parameter': return `${this.arnPrefix('ssm')}parameter/${n.replace(/^\//, '')}`;
      case 'AWS::Events::Rule': return `${this.arnPrefix('events')}rule/${n}`;
      case 'AWS::Events::EventBus': return `${this.arnPrefix('events')}event-bus/${n}`;
      case 'AWS::StepFunctions::StateMachine': return `${this.arnPrefix('states')}stateMachine:${n}`;
      case 'AWS::ECR::Repository': return `${this.arnPrefix('ecr')}repository/${n}`;
      case 'AWS::Kinesis::Stream': return `${this.arnPrefix('kinesis')}stream/${n}`;
      case 'AWS::CloudTrail::Trail': return `${this.arnPrefix('cloudtrail')}trail/${n}`;
      case 'AWS::RDS::DBInstance': return `${this.arnPrefix('rds')}db:${n}`;
      case 'AWS::RDS::DBCluster': return `${this.arnPrefix('rds')}cluster:${n}`;
      case 'AWS::Cognito::UserPool': return `${this.arnPrefix('cognito-idp')}userpool/${this.ref()}`;
      case 'AWS::Cognito::IdentityPool': return `${this.arnPrefix('cognito-identity')}identitypool/${this.ref()}`;
      case 'AWS::EC2::Subnet': return `${this.arnPrefix('ec2')}subnet/${this.ref()}`;
      case 'AWS::EC2::VPC': return `${this.arnPrefix('ec2')}vpc/${this.ref()}`;
      case 'AWS::RAM::ResourceShare': return `${this.arnPrefix('ram')}resource-share/${uuidOf(this.seed)}`;
      default: {
        // AWS::Service::Type -> arn:<partition>:<service>:<region>:<account>:<type>/<name>
        const [, service = 'unknown', kind = 'resource'] = this.resource.Type.split('::');
        return `arn:${partition}:${service.toLowerCase()}:${region}:${account}:${kind.toLowerCase()}/${n}`;
      }
    }
  }

  /** A key's id: a UUID, or `mrk-<32 hex>` for a multi-Region key (a replica key shares its primary's). */
  public keyId(): string {
    if (this.resource.Type === 'AWS::KMS::ReplicaKey') {
      const primary = this.prop('PrimaryKeyArn');
      if (typeof primary === 'string' && primary.includes(':key/')) return primary.slice(primary.indexOf(':key/') + 5);
    }
    if (this.prop('MultiRegion') === true || this.prop('MultiRegion') === 'true') return `mrk-${hashOf(this.seed).slice(0, 32)}`;
    return uuidOf(this.seed);
  }

  /** ARNs of the resource's copies in other regions (a secret's ReplicaRegions). */
  public replicaArns(): string[] {
    if (this.resource.Type !== 'AWS::SecretsManager::Secret') return [];
    const replicas = this.prop('ReplicaRegions');
    if (!Array.isArray(replicas)) return [];
    const arn = this.arn();
    return replicas.map((r: { Region?: unknown }) => withRegion(arn, String(r.Region)));
  }

  /** What `Ref` returns for this resource type. */
  public ref(): string {
    return this.once('ref', () => this.computeRef());
  }

  private computeRef(): string {
    const { region, account, urlSuffix } = this.stack;
    switch (this.resource.Type) {
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::SAMLProvider':
      case 'AWS::IAM::OIDCProvider':
      case 'Custom::AWSCDKOpenIdConnectProvider':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::SNS::Topic':
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::RAM::ResourceShare':
        return this.arn();
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return this.keyId();
      case 'AWS::SQS::Queue': return `https://sqs.${region}.${urlSuffix}/${account}/${this.name()}`;
      case 'AWS::Cognito::UserPool': return `${region}_${alnum(this.seed, 9)}`;
      case 'AWS::Cognito::UserPoolClient': return alnum(this.seed, 26).toLowerCase();
      case 'AWS::Cognito::IdentityPool': return `${region}:${uuidOf(this.seed)}`;
      case 'AWS::Organizations::OrganizationalUnit': return `ou-${alnum(this.seed + 'r', 4).toLowerCase()}-${alnum(this.seed, 8).toLowerCase()}`;
      case 'AWS::Organizations::Policy': return `p-${alnum(this.seed, 8).toLowerCase()}`;
      case 'AWS::Organizations::Account': return digitsOf(this.seed, 12);
      case 'AWS::Organizations::Organization': return `o-${alnum(this.seed, 10).toLowerCase()}`;
      case 'AWS::EC2::VPC': return `vpc-${hashOf(this.seed).slice(0, 17)}`;
      case 'AWS::EC2::Subnet': return `subnet-${hashOf(this.seed).slice(0, 17)}`;
      case 'AWS::EC2::SecurityGroup': return `sg-${hashOf(this.seed).slice(0, 17)}`;
      case 'AWS::EC2::VPCEndpoint': return `vpce-${hashOf(this.seed).slice(0, 17)}`;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::RolePolicy':
      case 'AWS::IAM::UserPolicy':
      case 'AWS::IAM::GroupPolicy':
        return `${this.logicalId}-${alnum(this.seed, 12, true)}`;
      // Ref of an attachment is the ARN of the secret it attaches (e.g. an RDS master secret)
      case 'AWS::SecretsManager::SecretTargetAttachment': return String(this.prop('SecretId'));
      default:
        return NAME_PROPERTY[this.resource.Type] || !this.resource.Type.startsWith('AWS::') ? this.name() : `${this.logicalId}-${alnum(this.seed, 12, true)}`;
    }
  }

  /**
   * What `Fn::GetAtt [X, attribute]` returns. Only attributes the generic rules at the end would get
   * wrong are listed: `…Arn` is the ARN, `…Name` the name, `…Id` what Ref returns (a key's id, a
   * secret's ARN, a VPC's id...).
   */
  public getAtt(attribute: string): unknown {
    const type = this.resource.Type;
    const { region, urlSuffix } = this.stack;
    switch (`${type}.${attribute}`) {
      case 'AWS::IAM::Role.RoleId': return `AROA${alnum(this.seed, 17, true)}`;
      case 'AWS::IAM::User.UserId': return `AIDA${alnum(this.seed, 17, true)}`;
      case 'AWS::IAM::ManagedPolicy.PolicyId': return `ANPA${alnum(this.seed, 17, true)}`;
      case 'AWS::S3::Bucket.DomainName': return `${this.name()}.s3.${urlSuffix}`;
      case 'AWS::S3::Bucket.RegionalDomainName': return `${this.name()}.s3.${region}.${urlSuffix}`;
      case 'AWS::S3::Bucket.DualStackDomainName': return `${this.name()}.s3.dualstack.${region}.${urlSuffix}`;
      case 'AWS::S3::Bucket.WebsiteURL': return `http://${this.name()}.s3-website-${region}.${urlSuffix}`;
      case 'AWS::SQS::Queue.QueueUrl': return this.ref();
      case 'AWS::Cognito::UserPool.ProviderName': return `cognito-idp.${region}.${urlSuffix}/${this.ref()}`;
      case 'AWS::Cognito::UserPool.ProviderURL': return `https://cognito-idp.${region}.${urlSuffix}/${this.ref()}`;
      case 'AWS::Organizations::Organization.RootId': return `r-${alnum(this.seed, 4).toLowerCase()}`;
      case 'AWS::EC2::VPC.CidrBlock': return this.prop('CidrBlock') ?? '10.0.0.0/16';
      default:
        break;
    }
    if (attribute.endsWith('Arn')) return this.arn();
    if (attribute.endsWith('Name')) return this.name();
    if (attribute.endsWith('Id')) return this.ref();
    // Anything else (custom resource outputs, endpoints...) gets a recognisable deterministic placeholder.
    return `${this.logicalId}.${attribute}`;
  }
}
