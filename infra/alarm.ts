/**
 * One way to raise an alarm in this app: a sum (or maximum) over the metric's period
 * reaching the threshold once, missing data treated as fine unless said otherwise, the
 * action the alarm e-mail's topic, and a name unique in the account: the stack's name and
 * the construct path, so that two stacks, or two kpi-report constructs in one stack, never
 * share an alarm name (the alarm e-mail's subject says which deployment it is).
 */
import { Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/** CloudWatch alarm names are at most 255 characters. */
const ALARM_NAME_LIMIT = 255;

export function raiseAlarm(
  scope: Construct,
  id: string,
  options: {
    readonly metric: cloudwatch.IMetric;
    readonly description: string;
    readonly action: cloudwatch.IAlarmAction;
    readonly threshold?: number;
    /**
     * Periods looked at, all of which must breach.
     * @default 1
     */
    readonly evaluationPeriods?: number;
    /**
     * For alarms on a metric that must keep coming (a heartbeat): missing data breaches.
     * @default cloudwatch.TreatMissingData.NOT_BREACHING
     */
    readonly treatMissingData?: cloudwatch.TreatMissingData;
  },
): cloudwatch.Alarm {
  const prefix = Names.uniqueResourceName(scope, {
    separator: '-',
    maxLength: ALARM_NAME_LIMIT - id.length - 1,
  });
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: `${prefix}-${id}`,
    metric: options.metric,
    threshold: options.threshold ?? 1,
    evaluationPeriods: options.evaluationPeriods ?? 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: options.description,
  });
  alarm.addAlarmAction(options.action);
  return alarm;
}
