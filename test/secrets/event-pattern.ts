/**
 * EventBridge's matching of an event against an event pattern, for the pattern features our rules
 * use: a field's array lists what it may be (a value, or `{ "anything-but": [...] }`,
 * `{ "exists": true|false }`, `{ "prefix": "..." }`; any one matches, and an event array matches if
 * any element does), a nested object narrows into the event's object of that name (or into each
 * object of an event array), `$or` holds alternative patterns, and every field of the pattern must
 * match. As in EventBridge, only `exists: false` matches a field the event does not have. Other
 * content filters (`numeric`, `cidr`, `wildcard`...) throw rather than being judged wrongly.
 */
export function matchesEventPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length < 2 || expected.some((p) => !isObject(p))) {
        throw new Error(`matchesEventPattern: $or must list at least two patterns, got ${JSON.stringify(expected)}`);
      }
      return expected.some((alternative) => matchesEventPattern(alternative as Record<string, unknown>, event));
    }
    const actual = event[field];
    if (Array.isArray(expected)) return matchesField(expected, actual, field);
    if (isObject(expected)) {
      if (Array.isArray(actual)) return actual.some((element) => isObject(element) && matchesEventPattern(expected, element));
      if (isObject(actual)) return matchesEventPattern(expected, actual);
      // a missing object: only `exists: false` below it can match
      return actual === undefined && matchesEventPattern(expected, {});
    }
    throw new Error(`matchesEventPattern: a pattern field must be an array or an object, got ${JSON.stringify(expected)} for ${field}`);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function matchesField(expected: unknown[], actual: unknown, field: string): boolean {
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  const leaves = values.filter((v) => v === null || typeof v !== 'object');
  return expected.some((matcher) => {
    if (!isObject(matcher)) return leaves.some((v) => v === matcher);
    const entries = Object.entries(matcher);
    const [filter, argument] = entries[0] ?? [];
    if (entries.length !== 1) throw new Error(`matchesEventPattern: a content filter has one key, got ${JSON.stringify(matcher)} for ${field}`);
    switch (filter) {
      case 'exists':
        return argument === (leaves.length > 0);
      case 'prefix':
        if (typeof argument !== 'string') throw new Error(`matchesEventPattern: prefix takes a string, got ${JSON.stringify(argument)} for ${field}`);
        return leaves.some((v) => typeof v === 'string' && v.startsWith(argument));
      case 'anything-but': {
        const excluded = Array.isArray(argument) ? argument : [argument];
        if (excluded.some((v) => v !== null && typeof v === 'object')) {
          throw new Error(`matchesEventPattern: anything-but with a nested filter is not supported, got ${JSON.stringify(argument)} for ${field}`);
        }
        return leaves.some((v) => !excluded.includes(v));
      }
      default:
        throw new Error(`matchesEventPattern: the content filter ${filter} is not supported, got ${JSON.stringify(matcher)} for ${field}`);
    }
  });
}

/**
 * A pattern from a synthesized template with its CloudFormation intrinsics (`Ref`, `Fn::GetAtt`,
 * `Fn::Join`) replaced by what `resolve` says they are, so it can be matched against concrete events.
 */
export function concretePattern(value: unknown, resolve: (intrinsic: { Ref?: string; 'Fn::GetAtt'?: [string, string] }) => string): any {
  if (Array.isArray(value)) return value.map((v) => concretePattern(v, resolve));
  if (!isObject(value)) return value;
  if ('Ref' in value || 'Fn::GetAtt' in value) return resolve(value as never);
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => concretePattern(p, resolve)).join(separator);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concretePattern(v, resolve)]));
}

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:my-app/db-AbCdEf`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;

function envelope(detailType: string, source: string, detail: Record<string, unknown>): Record<string, unknown> {
  return {
    'version': '0',
    'id': '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': detailType,
    source,
    'account': ACCOUNT,
    'time': '2026-11-24T07:00:00Z',
    'region': REGION,
    'resources': [],
    detail,
  };
}

/** The userIdentity of a session of `roleArn` (a Lambda function's session is named after the function). */
export function roleSession(roleArn: string, sessionName: string): Record<string, unknown> {
  const account = roleArn.split(':')[4];
  const roleName = roleArn.split('/').pop();
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEEXAMPLE:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLEEXAMPLE',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEEXAMPLE', arn: roleArn, accountId: account, userName: roleName },
      attributes: { creationDate: '2026-11-24T06:59:00Z', mfaAuthenticated: 'false' },
    },
  };
}

/** The userIdentity of an IAM user calling with its access key (no session, so no sessionIssuer). */
export function iamUser(userName: string): Record<string, unknown> {
  return { type: 'IAMUser', principalId: 'AIDAEXAMPLEEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEEXAMPLE', userName };
}

/** The userIdentity of the account's root user. */
export function rootUser(): Record<string, unknown> {
  return { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLEEXAMPLE' };
}

/** What an API call's CloudTrail record carries besides the request parameters. */
export interface ApiCallExtras {
  /** Who called; default a session of the role Admin. */
  readonly userIdentity?: Record<string, unknown>;
  readonly responseElements?: Record<string, unknown> | null;
  /** The resources CloudTrail names (KMS names the key here). */
  readonly resources?: Record<string, unknown>[];
}

/** An API call as CloudTrail hands it to EventBridge (detail is the CloudTrail record). */
export function apiCallEvent(service: 'secretsmanager' | 'kms' | 'lambda', eventName: string, requestParameters: Record<string, unknown> = {},
  extras: ApiCallExtras = {}): Record<string, unknown> {
  return envelope('AWS API Call via CloudTrail', `aws.${service}`, {
    eventVersion: '1.09',
    userIdentity: extras.userIdentity ?? roleSession(`arn:aws:iam::${ACCOUNT}:role/Admin`, 'admin'),
    eventTime: '2026-11-24T07:00:00Z',
    eventSource: `${service}.amazonaws.com`,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2',
    requestParameters,
    responseElements: extras.responseElements ?? null,
    ...(extras.resources ? { resources: extras.resources } : {}),
    requestID: '0b8f1e0c-5b43-4e5a-9f0b-6e7f2b9c1d2e',
    eventID: 'a3c2b1d0-0000-4000-8000-000000000000',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}

/** A KMS API call on `keyArn` (CloudTrail names the key in `resources`, whatever the caller passed as keyId). */
export function kmsCallEvent(eventName: string, keyArn: string, requestParameters: Record<string, unknown> = {}, extras: ApiCallExtras = {}): Record<string, unknown> {
  return apiCallEvent('kms', eventName, { keyId: keyArn, ...requestParameters }, {
    ...extras,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
  });
}

/** A Secrets Manager service event (rotation outcome) as CloudTrail hands it to EventBridge. */
export function serviceEvent(eventName: string): Record<string, unknown> {
  return envelope('AWS Service Event via CloudTrail', 'aws.secretsmanager', {
    eventVersion: '1.09',
    userIdentity: { accountId: ACCOUNT, invokedBy: 'secretsmanager.amazonaws.com' },
    eventTime: '2026-11-24T07:00:00Z',
    eventSource: 'secretsmanager.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: 'secretsmanager.amazonaws.com',
    userAgent: 'secretsmanager.amazonaws.com',
    requestParameters: null,
    responseElements: null,
    additionalEventData: { SecretId: SECRET_ARN },
    requestID: '0b8f1e0c-5b43-4e5a-9f0b-6e7f2b9c1d2f',
    eventID: 'a3c2b1d0-0000-4000-8000-000000000001',
    readOnly: false,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}

export const SAMPLE_SECRET_ARN = SECRET_ARN;
export const SAMPLE_KEY_ARN = KEY_ARN;
