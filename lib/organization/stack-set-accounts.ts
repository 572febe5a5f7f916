/**
 * A number of accounts for a StackSet operation's preferences, as a count or as a percentage of the
 * target accounts of each region (CloudFormation rounds a percentage down, but never to 0 for
 * concurrency).
 */
export class StackSetAccounts {
  /** A number of accounts. */
  public static count(count: number): StackSetAccounts {
    return new StackSetAccounts(count, undefined);
  }

  /** A percentage (0 to 100) of the target accounts in each region. */
  public static percentage(percentage: number): StackSetAccounts {
    return new StackSetAccounts(undefined, percentage);
  }

  /** The number of accounts, if given as a count. */
  public readonly accountCount?: number;
  /** The percentage of accounts, if given as a percentage. */
  public readonly accountPercentage?: number;

  private constructor(count: number | undefined, percentage: number | undefined) {
    this.accountCount = count;
    this.accountPercentage = percentage;
  }

  /** @internal `5 accounts` or `25%`. */
  public _describe(): string {
    return this.accountCount !== undefined ? `${this.accountCount} account${this.accountCount === 1 ? '' : 's'}` : `${this.accountPercentage}%`;
  }
}
