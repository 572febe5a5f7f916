// Stub: the random-key rotation entry point. The real implementation lands shortly; this keeps `npm run bundle` working.
export interface RotationEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

export async function handler(event: RotationEvent): Promise<void> {
  throw new Error(`rotation handler (random-key) not implemented yet: step ${event.Step}`);
}
