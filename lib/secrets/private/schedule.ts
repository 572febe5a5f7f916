import { Duration, Token } from 'aws-cdk-lib';

// Secrets Manager's limits on rotation schedules.
const MIN_INTERVAL_HOURS = 4;
const MAX_INTERVAL_DAYS = 1000;

/** The schedule expression for CloudFormation, from an interval or an expression, after checking it. */
export function scheduleExpression(interval: Duration | undefined, expression: string | undefined): string {
  if (interval && expression !== undefined) {
    throw new Error(`RotatingSecret: rotationInterval and rotationSchedule exclude each other, got ${interval.toHumanString()} and "${expression}"; give one`);
  }
  if (expression !== undefined) {
    if (Token.isUnresolved(expression)) return expression;
    const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(expression);
    if (rate) {
      const n = Number(rate[1]);
      const hours = rate[2].startsWith('hour') ? n : n * 24;
      checkRange(hours, expression);
      return expression;
    }
    const cron = /^cron\((.+)\)$/.exec(expression);
    if (cron && cron[1].trim().split(/\s+/).length === 6) return expression;
    throw new Error(`RotatingSecret: rotationSchedule must be rate(N hours), rate(N days) or cron(...) with six fields, got "${expression}"; `
      + 'e.g. cron(0 4 ? * SUN *)');
  }
  const value = interval ?? Duration.days(30);
  if (value.isUnresolved()) {
    throw new Error('RotatingSecret: rotationInterval must be a known duration, got a token; use rotationSchedule for expressions resolved at deploy time');
  }
  const hours = value.toHours({ integral: false });
  checkRange(hours, value.toHumanString());
  if (hours < 24) {
    if (!Number.isInteger(hours)) {
      throw new Error(`RotatingSecret: a rotation interval under a day must be whole hours, got ${value.toHumanString()}`);
    }
    return `rate(${hours} hours)`;
  }
  const days = hours / 24;
  if (!Number.isInteger(days)) {
    throw new Error(`RotatingSecret: a rotation interval of a day or more must be whole days, got ${value.toHumanString()}; Secrets Manager schedules in hours or days`);
  }
  return days === 1 ? 'rate(1 day)' : `rate(${days} days)`;
}

function checkRange(hours: number, shown: string): void {
  if (hours < MIN_INTERVAL_HOURS || hours > MAX_INTERVAL_DAYS * 24) {
    throw new Error(`RotatingSecret: rotation interval must be between ${MIN_INTERVAL_HOURS} hours and ${MAX_INTERVAL_DAYS} days, got ${shown}`);
  }
}
