import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { RotationError, isResourceNotFound } from './errors';
import { STAGE_CURRENT, STAGE_PENDING } from './types';

let cached: { endpoint: string | undefined; client: SecretsManagerClient } | undefined;

/**
 * One client per warm container. The SDK reads AWS_ENDPOINT_URL_SECRETS_MANAGER itself, so the
 * deployed bundle can be pointed at a stand-in; we only re-create the client if that changes.
 */
export function secretsManagerClient(): SecretsManagerClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? process.env.AWS_ENDPOINT_URL;
  if (!cached || cached.endpoint !== endpoint) {
    cached = { endpoint, client: new SecretsManagerClient({ maxAttempts: 3 }) };
  }
  return cached.client;
}

export interface SecretVersion {
  readonly versionId: string;
  readonly secretString: string;
}

/** The thin set of Secrets Manager calls the steps need. */
export class SecretStore {
  constructor(private readonly client: SecretsManagerClient = secretsManagerClient()) {}

  async describe(secretId: string): Promise<{ rotationEnabled: boolean | undefined; versions: Record<string, string[]> }> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return { rotationEnabled: out.RotationEnabled, versions: out.VersionIdsToStages ?? {} };
  }

  /** The value at `stage` (optionally also requiring version `versionId`); undefined when there is none. */
  async get(secretId: string, stage: string, versionId?: string): Promise<SecretVersion | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }));
      if (out.SecretString === undefined) {
        throw new RotationError(`secret ${secretId} (${stage}) holds binary data; rotation needs a SecretString`);
      }
      return { versionId: out.VersionId ?? '', secretString: out.SecretString };
    } catch (err) {
      if (isResourceNotFound(err)) return undefined;
      throw err;
    }
  }

  async putPending(secretId: string, token: string, secretString: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({
      SecretId: secretId, ClientRequestToken: token, SecretString: secretString, VersionStages: [STAGE_PENDING],
    }));
  }

  async randomPassword(options: { length: number; excludeCharacters: string; excludePunctuation: boolean }): Promise<string> {
    const out = await this.client.send(new GetRandomPasswordCommand({
      PasswordLength: options.length,
      ExcludeCharacters: options.excludeCharacters || undefined,
      ExcludePunctuation: options.excludePunctuation,
      RequireEachIncludedType: true,
    }));
    if (!out.RandomPassword) throw new RotationError('GetRandomPassword returned no password');
    return out.RandomPassword;
  }

  /**
   * Moves AWSCURRENT to `token`; Secrets Manager moves AWSPREVIOUS to the old version. AWSPENDING
   * is left for the service to clear, as in AWS's reference functions: on the AWSCURRENT version
   * it blocks nothing.
   */
  async promote(secretId: string, token: string, currentVersionId: string | undefined): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({
      SecretId: secretId, VersionStage: STAGE_CURRENT, MoveToVersionId: token, RemoveFromVersionId: currentVersionId,
    }));
  }
}
