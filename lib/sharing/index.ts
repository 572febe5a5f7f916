// Re-exports of the sharing area: one construct per file.
export { SharePrincipal, SharePrincipalType } from './share-principal';
export { SharedSubnets, SharedSubnetsProps } from './shared-subnets';
