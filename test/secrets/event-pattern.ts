/**
 * EventBridge's matching of an event against an event pattern, for the pattern features our rules
 * use: a field's array lists the values it may take (any one matches, an event array matches if any
 * element does), a nested object narrows into the event's object of that name, and every field of
 * the pattern must match. Content filters (`prefix`, `anything-but`, `exists`...) throw rather than
 * being judged wrongly.
 */
export function matchesEventPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (expected.some((v) => v !== null && typeof v === 'object')) {
        throw new Error(`matchesEventPattern: content filters are not supported, got ${JSON.stringify(expected)} for ${field}`);
      }
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => v !== undefined && (typeof v !== 'object' || v === null) && expected.includes(v));
    }
    if (expected !== null && typeof expected === 'object') {
      return actual !== null && typeof actual === 'object' && !Array.isArray(actual)
        && matchesEventPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
    }
    throw new Error(`matchesEventPattern: a pattern field must be an array or an object, got ${JSON.stringify(expected)} for ${field}`);
  });
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

/** An API call as CloudTrail hands it to EventBridge (detail is the CloudTrail record). */
export function apiCallEvent(service: 'secretsmanager' | 'kms', eventName: string, requestParameters: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope('AWS API Call via CloudTrail', `aws.${service}`, {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:admin',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/admin`,
      accountId: ACCOUNT,
    },
    eventTime: '2026-11-24T07:00:00Z',
    eventSource: `${service}.amazonaws.com`,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '192.0.2.10',
    userAgent: 'aws-cli/2',
    requestParameters,
    responseElements: null,
    requestID: '0b8f1e0c-5b43-4e5a-9f0b-6e7f2b9c1d2e',
    eventID: 'a3c2b1d0-0000-4000-8000-000000000000',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
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
