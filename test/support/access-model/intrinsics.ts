import { PhysicalResource, uuidOf } from './physical-ids';
import type { StackInfo } from './stack-set';

/** Marks a value removed by `Ref: AWS::NoValue`. */
const NO_VALUE = Symbol('AWS::NoValue');

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 300) ?? String(value);
}

/**
 * Resolves CloudFormation intrinsic functions and pseudo parameters in template values to the
 * deterministic values of the model (see physical-ids.ts), across all stacks (Fn::ImportValue
 * finds the export in whichever stack declares it).
 */
export class IntrinsicResolver {
  private readonly physical = new Map<string, PhysicalResource>();
  private readonly props = new Map<string, Map<string, unknown>>();
  private readonly exportsByName = new Map<string, { stack: StackInfo; value: unknown }>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly stacks: readonly StackInfo[],
    private readonly parameters: Readonly<Record<string, unknown>> = {},
  ) {
    for (const stack of stacks) {
      for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (output.Export?.Name === undefined) continue;
        const name = this.resolve(stack, output.Export.Name, `Outputs.${outputId}.Export.Name`);
        if (typeof name !== 'string') {
          throw new Error(`AccessModel: export name of output '${outputId}' in stack '${stack.stackName}' resolves to ${describe(name)}, not a string.`);
        }
        this.exportsByName.set(name, { stack, value: output.Value });
      }
    }
  }

  /** The physical facts (name, ARN, Ref, GetAtt) of a resource. */
  public physicalOf(stack: StackInfo, logicalId: string): PhysicalResource {
    const key = `${stack.key}/${logicalId}`;
    let p = this.physical.get(key);
    if (!p) {
      const resource = stack.template.Resources?.[logicalId];
      if (!resource) {
        throw new Error(`AccessModel: stack '${stack.stackName}' has no resource '${logicalId}'.`);
      }
      p = new PhysicalResource(stack, logicalId, resource, (name) => this.prop(stack, logicalId, name));
      this.physical.set(key, p);
    }
    return p;
  }

  /**
   * One property of a resource with every intrinsic resolved. Properties are resolved one at a time
   * so that an unrelated property the model cannot resolve (an import from a stack it was not given)
   * does not get in the way.
   */
  public prop(stack: StackInfo, logicalId: string, name: string): unknown {
    const key = `${stack.key}/${logicalId}`;
    let cache = this.props.get(key);
    if (!cache) this.props.set(key, cache = new Map());
    if (!cache.has(name)) {
      const raw = stack.template.Resources?.[logicalId]?.Properties?.[name];
      cache.set(name, raw === undefined ? undefined : this.resolve(stack, raw, `Resources.${logicalId}.Properties.${name}`));
    }
    return cache.get(name);
  }

  /** Resolves every intrinsic inside `value` in the context of `stack`. `where` names the place for error messages. */
  public resolve(stack: StackInfo, value: unknown, where = 'value'): unknown {
    const out = this.walk(stack, value, where);
    return out === NO_VALUE ? undefined : out;
  }

  private walk(stack: StackInfo, value: unknown, where: string): unknown {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.walk(stack, v, `${where}[${i}]`)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0];
      if (fn === 'Ref' || fn.startsWith('Fn::') || fn === 'Condition') {
        try {
          return this.intrinsic(stack, fn, arg, where);
        } catch (e) {
          const msg = (e as Error).message;
          if (msg.startsWith('AccessModel:')) throw e;
          throw new Error(`AccessModel: cannot resolve ${describe(value)} at ${where} in stack '${stack.stackName}': ${msg}`);
        }
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const r = this.walk(stack, v, `${where}.${k}`);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  private str(stack: StackInfo, value: unknown, where: string, what: string): string {
    const r = this.walk(stack, value, where);
    if (typeof r === 'number' || typeof r === 'boolean') return String(r);
    if (typeof r !== 'string') throw new Error(`${what} must resolve to a string, got ${describe(r)}`);
    return r;
  }

  private list(stack: StackInfo, value: unknown, where: string, what: string): unknown[] {
    const r = this.walk(stack, value, where);
    if (!Array.isArray(r)) throw new Error(`${what} must resolve to a list, got ${describe(r)}`);
    return r;
  }

  private intrinsic(stack: StackInfo, fn: string, arg: unknown, where: string): unknown {
    switch (fn) {
      case 'Ref': return this.ref(stack, this.str(stack, arg, where, 'Ref'));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof arg === 'string'
          ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)]
          : (arg as unknown[]).map((a) => this.str(stack, a, where, 'Fn::GetAtt argument'));
        return this.getAtt(stack, logicalId, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, parts] = arg as [string, unknown];
        return this.list(stack, parts, where, 'Fn::Join list').map((p, i) => this.str(stack, p, `${where}[${i}]`, 'Fn::Join element')).join(delimiter);
      }
      case 'Fn::Sub': {
        const [template, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
        const values: Record<string, string> = {};
        for (const [k, v] of Object.entries(vars ?? {})) values[k] = this.str(stack, v, `${where}.${k}`, `Fn::Sub variable ${k}`);
        return this.str(stack, template, where, 'Fn::Sub template').replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
          if (name.startsWith('!')) return '${' + name.slice(1) + '}';
          if (name in values) return values[name];
          if (name.includes('.') && !name.startsWith('AWS::')) {
            const dot = name.indexOf('.');
            return String(this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1)));
          }
          const r = this.ref(stack, name);
          if (typeof r !== 'string') throw new Error(`${whole} must be a string, got ${describe(r)}`);
          return r;
        });
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const i = Number(this.walk(stack, index, where));
        const items = this.list(stack, list, where, 'Fn::Select list');
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new Error(`Fn::Select index ${i} is outside the list of ${items.length}`);
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = arg as [string, unknown];
        return this.str(stack, source, where, 'Fn::Split source').split(delimiter);
      }
      case 'Fn::ImportValue': return this.importValue(this.str(stack, arg, where, 'Fn::ImportValue name'));
      case 'Fn::GetStackOutput': {
        // the weak cross-stack reference of '@aws-cdk/core:defaultCrossStackReferences': an output read by stack name
        const { StackName, Region, OutputName } = arg as { StackName: unknown; Region?: unknown; OutputName: unknown };
        return this.stackOutput(
          this.str(stack, StackName, where, 'Fn::GetStackOutput StackName'),
          Region === undefined ? stack.region : this.str(stack, Region, where, 'Fn::GetStackOutput Region'),
          this.str(stack, OutputName, where, 'Fn::GetStackOutput OutputName'));
      }
      case 'Fn::FindInMap': {
        const [map, k1, k2, options] = arg as unknown[];
        const m = stack.template.Mappings?.[this.str(stack, map, where, 'map name')];
        const top = m?.[this.str(stack, k1, where, 'top-level key')];
        const key2 = this.str(stack, k2, where, 'second-level key');
        if (top && key2 in top) return this.walk(stack, top[key2], where);
        const def = (options as { DefaultValue?: unknown } | undefined)?.DefaultValue;
        if (def !== undefined) return this.walk(stack, def, where);
        throw new Error('no such mapping entry');
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.walk(stack, this.condition(stack, condition) ? whenTrue : whenFalse, where);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((x) => this.walk(stack, x, where));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not': return !this.walk(stack, (arg as unknown[])[0], where);
      case 'Fn::And': return (arg as unknown[]).every((x) => this.walk(stack, x, where) === true);
      case 'Fn::Or': return (arg as unknown[]).some((x) => this.walk(stack, x, where) === true);
      case 'Condition': return this.condition(stack, arg as string);
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((s) => `${stack.region}${s}`);
      case 'Fn::Base64': return Buffer.from(this.str(stack, arg, where, 'Fn::Base64 argument')).toString('base64');
      case 'Fn::ToJsonString': return JSON.stringify(this.walk(stack, arg, where));
      case 'Fn::Length': return this.list(stack, arg, where, 'Fn::Length argument').length;
      default:
        throw new Error(`unsupported intrinsic function ${fn}`);
    }
  }

  private condition(stack: StackInfo, name: string): boolean {
    const def = stack.template.Conditions?.[name];
    if (def === undefined) throw new Error(`no condition named '${name}'`);
    return this.walk(stack, def, `Conditions.${name}`) === true;
  }

  private ref(stack: StackInfo, name: string): unknown {
    switch (name) {
      case 'AWS::AccountId': return stack.account;
      case 'AWS::Region': return stack.region;
      case 'AWS::Partition': return stack.partition;
      case 'AWS::URLSuffix': return stack.urlSuffix;
      case 'AWS::StackName': return stack.stackName;
      case 'AWS::StackId': return `arn:${stack.partition}:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/${uuidOf(stack.key)}`;
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
      default: break;
    }
    if (stack.template.Resources?.[name]) return this.guard(stack, name, () => this.physicalOf(stack, name).ref());
    const param = stack.template.Parameters?.[name];
    if (param) {
      if (name in this.parameters) return this.parameters[name];
      if (param.Default !== undefined) return param.Default;
      throw new Error(`AccessModel: parameter '${name}' of stack '${stack.stackName}' has no default; pass it in options.parameters.`);
    }
    throw new Error(`AccessModel: Ref to '${name}', which is not a resource, parameter or pseudo parameter of stack '${stack.stackName}'.`);
  }

  private getAtt(stack: StackInfo, logicalId: string, attribute: string): unknown {
    if (!stack.template.Resources?.[logicalId]) {
      throw new Error(`AccessModel: Fn::GetAtt of '${logicalId}.${attribute}', but stack '${stack.stackName}' has no resource '${logicalId}'.`);
    }
    return this.guard(stack, logicalId, () => this.physicalOf(stack, logicalId).getAtt(attribute));
  }

  /** Stops a name property that refers back to its own resource from recursing forever. */
  private guard<T>(stack: StackInfo, logicalId: string, fn: () => T): T {
    const key = `${stack.key}/${logicalId}`;
    if (this.resolving.has(key)) throw new Error(`AccessModel: circular reference through '${logicalId}' in stack '${stack.stackName}'.`);
    this.resolving.add(key);
    try {
      return fn();
    } finally {
      this.resolving.delete(key);
    }
  }

  private stackOutput(stackName: string, region: string, outputName: string): unknown {
    const producer = this.stacks.find((s) => s.stackName === stackName && s.region === region);
    const output = producer?.template.Outputs?.[outputName];
    if (!producer || !output) {
      throw new Error(`AccessModel: Fn::GetStackOutput names output '${outputName}' of stack '${stackName}' in ${region}, which ${producer ? 'has no such output' : 'is not one of the model\'s stacks'}; pass the producing stack to the AccessModel too.`);
    }
    return this.walk(producer, output.Value, `output ${outputName} of ${stackName}`);
  }

  private importValue(name: string): unknown {
    const exp = this.exportsByName.get(name);
    if (!exp) {
      const known = [...this.exportsByName.keys()];
      throw new Error(`AccessModel: Fn::ImportValue '${name}' is not exported by any of the model's stacks (exports: ${known.length ? known.join(', ') : 'none'}); pass the exporting stack to the AccessModel too.`);
    }
    return this.walk(exp.stack, exp.value, `export ${name}`);
  }
}
