export { AccessModel } from './access-model';
export type { AccessExplanation } from './access-model';
export { DEFAULT_ACCOUNT, DEFAULT_REGION } from './stack-set';
export { BUILT_IN_MANAGED_POLICIES } from './managed-policies';
export type { AccessModelOptions, CheckRequest, ContextValue, Decision, OrgPolicyInput, PolicyDocument, RequestContext, TemplateInput } from './types';
