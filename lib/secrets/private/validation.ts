import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { RotatingSecretProps, SecretReplica } from '../rotating-secret';

/** Checks the props of a `RotatingSecret` that can be checked on their own, before anything is built. */
export function validate(stack: Stack, props: RotatingSecretProps): void {
  const strategy = props.rotation;
  const where = 'RotatingSecret';
  if (props.existingSecret) {
    const misplaced = (['secretName', 'description', 'username', 'databaseName', 'encryptionKey', 'awsManagedKey', 'dedicatedEncryptionKey', 'replicas', 'removalPolicy'] as const)
      .filter((name) => props[name] !== undefined);
    if (misplaced.length > 0) {
      throw new Error(`${where}: ${misplaced.join(', ')} shape a new secret and do not apply with existingSecret, got existingSecret and ${misplaced.join(', ')}; `
        + 'set them where the existing secret is created, or drop existingSecret');
    }
    if (strategy.masterSecret && strategy.masterSecret === props.existingSecret) {
      throw new Error(`${where}: the master secret cannot be rotated with alternating users of itself, got the same secret for existingSecret and masterSecret; `
        + `rotate the master secret with ${strategy.name.replace('alternating-users', 'single-user')} rotation`);
    }
  }
  if (props.encryptionKey && props.awsManagedKey) {
    throw new Error(`${where}: encryptionKey and awsManagedKey exclude each other, got both; drop awsManagedKey to use the key`);
  }
  if (props.dedicatedEncryptionKey && (props.encryptionKey || props.awsManagedKey)) {
    throw new Error(`${where}: dedicatedEncryptionKey creates a key for the secret, got it with ${props.encryptionKey ? 'encryptionKey' : 'awsManagedKey'}; `
      + 'drop one of them');
  }
  if (!props.existingSecret && strategy._isDatabase) {
    if (!props.database) {
      throw new Error(`${where}: a new ${strategy.name} secret needs database to fill in host and port, got none; `
        + 'pass database: DatabaseTarget.instance(instance), or existingSecret for a secret that already holds them');
    }
    if (!props.username) {
      throw new Error(`${where}: a new ${strategy.name} secret needs username, got none; pass the database user the secret is for`);
    }
  }
  if (!strategy._isDatabase && !strategy.customFunction) {
    const databaseProps = (['database', 'username', 'databaseName'] as const).filter((name) => props[name] !== undefined);
    if (databaseProps.length > 0) {
      throw new Error(`${where}: ${databaseProps.join(', ')} apply to the database strategies, got them with ${strategy.name} rotation; `
        + 'drop them, or use a postgres or mysql strategy');
    }
  }
  if (props.database && !props.vpc) {
    throw new Error(`${where}: database needs vpc so the rotation function can reach the database, got database without vpc; pass the database's VPC`);
  }
  if (strategy.customFunction && (props.vpc || props.secretsManagerEndpoint)) {
    throw new Error(`${where}: vpc and secretsManagerEndpoint place the shared rotation function, got them with RotationStrategy.custom(); `
      + 'configure the network of your own function where you create it');
  }
  if (strategy.customFunction && props.rotationFunctionRuntime) {
    throw new Error(`${where}: rotationFunctionRuntime sets the runtime of the shared rotation function, got ${props.rotationFunctionRuntime.name} `
      + 'with RotationStrategy.custom(); set the runtime of your own function where you create it');
  }
  if (props.rotationFunctionGroup !== undefined) {
    if (strategy.customFunction) {
      throw new Error(`${where}: rotationFunctionGroup groups secrets on shared rotation functions, got it with RotationStrategy.custom(); drop it`);
    }
    if (!Token.isUnresolved(props.rotationFunctionGroup) && !/^[A-Za-z0-9]{1,32}$/.test(props.rotationFunctionGroup)) {
      throw new Error(`${where}: rotationFunctionGroup must be 1 to 32 letters and digits (it names a construct id), got "${props.rotationFunctionGroup}"; e.g. "LongKeys"`);
    }
  }
  if (props.existingSecretsManagerEndpoint) {
    if (props.secretsManagerEndpoint) {
      throw new Error(`${where}: existingSecretsManagerEndpoint and secretsManagerEndpoint exclude each other, got both; `
        + 'drop secretsManagerEndpoint to use the existing endpoint');
    }
    if (strategy.customFunction || !props.vpc) {
      throw new Error(`${where}: existingSecretsManagerEndpoint is where the shared rotation function in vpc reaches Secrets Manager, got it `
        + `${strategy.customFunction ? 'with RotationStrategy.custom()' : 'without vpc'}; ${strategy.customFunction ? 'configure your own function\'s network where you create it' : 'pass the VPC the endpoint is in'}`);
    }
  }
  if (props.secretsManagerEndpoint && !props.vpc) {
    throw new Error(`${where}: secretsManagerEndpoint needs vpc, got secretsManagerEndpoint without vpc; pass the VPC the function runs in`);
  }
  if (props.secretName !== undefined && !Token.isUnresolved(props.secretName) && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.secretName)) {
    throw new Error(`${where}: secretName may hold 1 to 512 letters, digits and /_+=.@- only, got "${props.secretName}"`);
  }
  if (props.removalPolicy === RemovalPolicy.DESTROY && props.denyDelete === true) {
    throw new Error(`${where}: denyDelete stops CloudFormation from deleting the secret, got denyDelete: true with removalPolicy DESTROY; `
      + 'drop denyDelete or use RemovalPolicy.RETAIN');
  }
  validateReplicas(stack, props.replicas ?? []);
}

function validateReplicas(stack: Stack, replicas: SecretReplica[]): void {
  const seen = new Set<string>();
  if (replicas.length > 0 && Token.isUnresolved(stack.region)) {
    Annotations.of(stack).addWarningV2('cdk-security-patterns:replica-region-unchecked',
      `Stack ${stack.stackName} has no region, so a RotatingSecret replica in the stack's own region (${replicas.map((r) => r.region).join(', ')}) `
      + 'cannot be caught at synth and would fail at deploy; give the stack an env with its region');
  }
  for (const replica of replicas) {
    const region = replica.region;
    if (Token.isUnresolved(region)) continue;
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      throw new Error(`RotatingSecret: replica region must be a region name like eu-west-1, got "${region}"`);
    }
    if (!Token.isUnresolved(stack.region) && region === stack.region) {
      throw new Error(`RotatingSecret: a replica must be in another region than the secret, got replica region ${region}, which is the stack's region; `
        + 'drop it or choose another region');
    }
    if (seen.has(region)) {
      throw new Error(`RotatingSecret: each replica region may appear once, got ${region} twice`);
    }
    seen.add(region);
    const keyArn = replica.encryptionKey?.keyArn;
    if (keyArn && !Token.isUnresolved(keyArn)) {
      const keyRegion = keyArn.split(':')[3];
      if (keyRegion && keyRegion !== region) {
        throw new Error(`RotatingSecret: the key of the replica in ${region} must be in ${region}, got a key in ${keyRegion} (${keyArn}); `
          + 'import a key of the replica region with kms.Key.fromKeyArn');
      }
    }
  }
}
