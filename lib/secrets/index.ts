// Re-exports of the secrets area: one construct or concept per file.
export { RotationStrategy, DatabaseRotationOptions, AlternatingUsersRotationOptions, RandomKeyRotationOptions, DatabaseUserOptions, DatabaseGrant } from './rotation-strategy';
export { DatabaseTarget, DatabaseEndpointOptions } from './database-target';
export { RotatingSecret, RotatingSecretProps, SecretReplica } from './rotating-secret';
export { SecretGrants } from './secret-grants';
export { SecretAlerts, SecretAlertsProps } from './secret-alerts';
