// Re-exports of the organization area: one construct per file.
export { IOrganizationalUnit, MemberAccount, OrganizationalUnits, OrganizationalUnitsProps } from './organizational-units';
export { PolicyTarget } from './policy-target';
export { OrganizationPolicyProps, ServiceControlPolicy } from './service-control-policy';
export { ResourceControlPolicy } from './resource-control-policy';
export { Guardrail, GuardrailOptions, RegionGuardrailOptions } from './guardrail';
export { Guardrails, GuardrailsProps } from './guardrails';
export { CustomerManagedPolicyReference } from './customer-managed-policy-reference';
export { IdentityCenterPrincipal } from './identity-center-principal';
export { PermissionSetBoundary } from './permission-set-boundary';
export { PermissionSet, PermissionSetProps } from './permission-set';
export { StackSetTarget } from './stack-set-target';
export { StackSetAccounts } from './stack-set-accounts';
export { RegionConcurrency } from './region-concurrency';
export { OrganizationStackSet, OrganizationStackSetProps } from './organization-stack-set';
