// Re-exports of the identity area, one construct per file.
export * from './trusted-account';
export * from './cross-account-role';
export * from './developer-boundary';
export * from './mfa-required';
export * from './ec2-service-role';
