import { appIdentity } from './app-identity';
import { baseline } from './baseline';
import { crossAccountAccess } from './cross-account-access';
import { delegatedDevelopers } from './delegated-developers';
import { Example } from './example';
import { organizationGuardrails } from './organization-guardrails';
import { organizationRollout } from './organization-rollout';
import { rotatingDatabaseSecret } from './rotating-database-secret';
import { samlConsoleAccess } from './saml-console-access';
import { secretConsumers } from './secret-consumers';
import { secureStorage } from './secure-storage';
import { sharedNetwork } from './shared-network';

export { Example } from './example';

/** Every example app, in the order `cdk synth` lists them. Add a new example here. */
export const EXAMPLES: Example[] = [
  baseline,
  crossAccountAccess,
  delegatedDevelopers,
  rotatingDatabaseSecret,
  secretConsumers,
  appIdentity,
  samlConsoleAccess,
  secureStorage,
  organizationGuardrails,
  organizationRollout,
  sharedNetwork,
];
