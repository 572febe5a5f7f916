// Re-exports of the federation area, one construct per file.
export * from './role-selection';
export * from './external-identity-provider';
export * from './app-identity';
export * from './saml-federation';
