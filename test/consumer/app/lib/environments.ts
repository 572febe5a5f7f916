/** The account and region of the app's stacks, and a second pair for replicas. */
export const HOME = { account: '111111111111', region: 'us-east-1' };
export const BACKUP = { account: '222222222222', region: 'us-west-2' };
