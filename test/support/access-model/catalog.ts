import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { IntrinsicResolver } from './intrinsics';
import type { PhysicalResource } from './physical-ids';
import type { StackInfo, TemplateResource } from './stack-set';

/** ARN properties of imported L2 constructs (`Role.fromRoleArn`, `Bucket.fromBucketName`, ...). */
const IMPORTED_ARN_ATTRIBUTES = [
  'roleArn', 'userArn', 'bucketArn', 'secretArn', 'keyArn', 'topicArn', 'functionArn', 'queueArn', 'tableArn',
  'streamArn', 'stateMachineArn', 'repositoryArn', 'logGroupArn', 'parameterArn', 'managedPolicyArn', 'userPoolArn',
  'openIdConnectProviderArn', 'samlProviderArn', 'instanceProfileArn',
];

/** One resource of one of the model's stacks. */
export interface Entry {
  readonly stack: StackInfo;
  readonly logicalId: string;
  readonly resource: TemplateResource;
}

export function entryName(e: Entry): string {
  return `${e.resource.Type} '${e.logicalId}' of stack '${e.stack.stackName}'`;
}

/** A property that may hold one value or a list of them (`Roles`, `Statement`...) as a list. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Every resource of the model's stacks, with their resolved properties and physical facts. */
export class Catalog {
  public readonly resolver: IntrinsicResolver;
  private readonly entries: Entry[] = [];

  constructor(public readonly stacks: readonly StackInfo[], parameters?: Readonly<Record<string, unknown>>) {
    this.resolver = new IntrinsicResolver(stacks, parameters);
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        const entry = { stack, logicalId, resource };
        // A resource whose Condition is false is not deployed.
        if (resource.Condition !== undefined && this.resolver.resolve(stack, { Condition: resource.Condition }) !== true) continue;
        this.entries.push(entry);
      }
    }
  }

  public accounts(): string[] {
    return [...new Set(this.stacks.map((s) => s.account))];
  }

  public ofType(type: string, account?: string): Entry[] {
    return this.entries.filter((e) => e.resource.Type === type && (account === undefined || e.stack.account === account));
  }

  /** One property of the resource with every intrinsic resolved (see IntrinsicResolver.prop). */
  public prop(entry: Entry, name: string): unknown {
    return this.resolver.prop(entry.stack, entry.logicalId, name);
  }

  /** The resource's `Tags` as a map. */
  public tags(entry: Entry): Record<string, string> {
    const out: Record<string, string> = {};
    const tags = this.prop(entry, 'Tags');
    if (Array.isArray(tags)) for (const t of tags as { Key: string; Value: string }[]) out[t.Key] = t.Value;
    return out;
  }

  public physical(entry: Entry): PhysicalResource {
    return this.resolver.physicalOf(entry.stack, entry.logicalId);
  }

  public arn(entry: Entry): string {
    return this.physical(entry).arn();
  }

  /**
   * What a construct stands for: the template resource behind it (a CfnResource, or an L2 whose
   * default child is one), else — for an imported construct such as `Role.fromRoleArn` — the ARN it
   * carries, resolved in its stack.
   */
  public targetOf(construct: IConstruct, role: string): { entry?: Entry; arn?: string } {
    const arn = this.cfnOf(construct) ? undefined : this.importedArn(construct);
    return arn !== undefined ? { arn } : { entry: this.entryOf(construct, role) };
  }

  private importedArn(construct: IConstruct): string | undefined {
    for (const attribute of IMPORTED_ARN_ATTRIBUTES) {
      const value = (construct as unknown as Record<string, unknown>)[attribute];
      if (typeof value !== 'string') continue;
      if (!Token.isUnresolved(value)) return value;
      const stack = Stack.of(construct);
      const info = this.infoOf(stack);
      if (info) {
        const arn = this.resolver.resolve(info, stack.resolve(value), `${construct.node.path}.${attribute}`);
        if (typeof arn === 'string') return arn;
      }
    }
    return undefined;
  }

  private infoOf(stack: Stack): StackInfo | undefined {
    return this.stacks.find((s) => s.stack === stack);
  }

  /** The CfnResource itself, or down the default-child chain (an L3's 'Resource' L2, then its L1). */
  private cfnOf(construct: IConstruct): CfnResource | undefined {
    let c: IConstruct | undefined = construct;
    for (let depth = 0; c && depth < 4; depth++) {
      if (CfnResource.isCfnResource(c)) return c;
      c = c.node.defaultChild;
    }
    return undefined;
  }

  /** The template resource behind a construct: a CfnResource, or an L2 whose default child is one. */
  public entryOf(construct: IConstruct, role: string): Entry {
    const cfn = this.cfnOf(construct);
    if (!cfn) {
      throw new Error(`AccessModel: the ${role} '${construct.node.path}' is not a CloudFormation resource and no default child (id 'Resource') leads to one; pass the L1/L2 construct or its ARN as a string.`);
    }
    const stack = Stack.of(cfn);
    const info = this.infoOf(stack);
    if (!info) {
      if (this.stacks.some((s) => s.stackName === stack.stackName)) {
        throw new Error(`AccessModel: the ${role} '${construct.node.path}' belongs to a stack named '${stack.stackName}' that is not the Stack object the model was given (a construct of another App?); use constructs of the stacks passed to this AccessModel.`);
      }
      throw new Error(`AccessModel: the ${role} '${construct.node.path}' belongs to stack '${stack.stackName}', which is not one of the model's stacks (${this.stacks.map((s) => s.stackName).join(', ')}); pass that stack to the AccessModel too.`);
    }
    const logicalId = stack.resolve(cfn.logicalId) as string;
    const entry = this.entries.find((e) => e.stack === info && e.logicalId === logicalId);
    if (!entry) {
      throw new Error(`AccessModel: the ${role} '${construct.node.path}' (logical id ${logicalId}) is not in the synthesized template of stack '${stack.stackName}' (was it added after the stack was synthesized, or is its Condition false?).`);
    }
    return entry;
  }

  /** The resource whose ARN is `arn` (or, for a bucket, whose objects `arn` names). */
  public entryByArn(arn: string): Entry | undefined {
    // a resource whose ARN the model cannot work out (an unresolvable name) is not the one asked for
    for (const e of this.entries) {
      const own = attempt(() => this.arn(e));
      if (own === undefined) continue;
      if (own === arn) return e;
      if (e.resource.Type === 'AWS::S3::Bucket' && arn.startsWith(own + '/')) return e;
      if (e.resource.Type === 'AWS::SecretsManager::Secret' && attempt(() => this.physical(e).replicaArns())?.includes(arn)) return e;
      // a secret's partial ARN (without the 6-character suffix Secrets Manager adds)
      if (e.resource.Type === 'AWS::SecretsManager::Secret' && own.slice(0, -7) === arn) return e;
    }
    return undefined;
  }

  /** An IAM role or user of `account` named `name`. */
  public iamEntity(type: 'AWS::IAM::Role' | 'AWS::IAM::User' | 'AWS::IAM::Group', account: string, name: string): Entry | undefined {
    return this.ofType(type, account).find((e) => this.physical(e).name() === name);
  }
}

function attempt<T>(compute: () => T): T | undefined {
  try {
    return compute();
  } catch {
    return undefined;
  }
}
