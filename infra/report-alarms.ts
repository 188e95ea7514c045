/**
 * Every failure path of a kpi-report deployment has an alarm on the alarm topic: failed
 * functions, undelivered messages, the heartbeat of an overdue report, dead letters, SES's
 * reputation and the schedules. The custom metrics are the functions' (Powertools, EMF),
 * counted per `serviceName`, so two deployments in one account never alarm on each
 * other's runs.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { raiseAlarm } from './alarm';
import { METRICS_NAMESPACE, type ReportFunction } from './report-function';

export interface ReportAlarmsProps {
  readonly action: cloudwatch.IAlarmAction;
  /** The `service` dimension of the functions' custom metrics. */
  readonly serviceName: string;
  readonly runFunction: ReportFunction;
  readonly validateFunction: ReportFunction;
  readonly apiFunction: ReportFunction;
  readonly deliveryEventsFunction: ReportFunction;
  readonly api: apigateway.RestApi;
  readonly deadLetterQueue: sqs.IQueue;
  readonly configurationSetName: string;
  readonly scheduleGroup: scheduler.IScheduleGroup;
  /** Days after a quarter's end by which its report must be out (named in the heartbeat's description). */
  readonly reportDueDays: number;
}

export class ReportAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ReportAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      description: string,
      options: {
        threshold?: number;
        evaluationPeriods?: number;
        treatMissingData?: cloudwatch.TreatMissingData;
      } = {},
    ) => {
      this.alarms.push(raiseAlarm(this, alarmId, { metric, description, action: props.action, ...options }));
    };
    const runMetric = (metricName: string, statistic: string, metricPeriod = period) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic,
        period: metricPeriod,
      });
    alarm(
      'RunFunctionErrors',
      props.runFunction.metricErrors({ period, statistic: 'Sum' }),
      "A report run failed (Lambda retries twice, then the event goes to the dead-letter queue). See the run function's logs and reports/<quarter>/validation.json.",
    );
    alarm(
      'MessagesFailed',
      runMetric('MessagesFailed', 'Sum'),
      "Recipients did not get the report: SES refused them for good (an unverified sender or address, a paused account) or the retries ran out. reports/<quarter>/status.json lists them with SES's reason (deliveries.unserved); fix the cause, then run the quarter again: only they are mailed.",
    );
    alarm(
      'ReportOverdue',
      runMetric('ReportOverdue', 'Maximum', Duration.hours(1)),
      `The heartbeat: the last completed quarter's report has not gone out ${props.reportDueDays} days after the quarter ended (kpis.json and a delivery record for every recipient), and no scheduled run is waiting for its exports within its window; or the hourly sweep that checks has not reported for 3 hours. See reports/<quarter>/status.json, then run the quarter through the API.`,
      // Missing data breaches: a sweep that never runs must raise this as well.
      { evaluationPeriods: 3, treatMissingData: cloudwatch.TreatMissingData.BREACHING },
    );
    alarm(
      'ValidateFunctionErrors',
      props.validateFunction.metricErrors({ period, statistic: 'Sum' }),
      "Validating an upload failed (not: the upload has problems, which goes to ops). See the validate function's logs.",
    );
    alarm(
      'DeliveryEventsFunctionErrors',
      props.deliveryEventsFunction.metricErrors({ period, statistic: 'Sum' }),
      "Recording an SES event beside the delivery ledger failed. See the delivery events function's logs.",
    );
    alarm(
      'ApiFunctionErrors',
      props.apiFunction.metricErrors({ period, statistic: 'Sum' }),
      'The reports API function failed. See its logs.',
    );
    alarm(
      'ApiServerErrors',
      props.api.metricServerError({ period, statistic: 'Sum' }),
      "The reports API answered 5xx. See the API access logs and the API function's logs.",
    );
    alarm(
      'DeadLetterQueueNotEmpty',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      'A run or validation gave up after its retries; the event is in the dead-letter queue. Fix the cause, then redrive it or run the quarter through the API.',
    );
    alarm(
      'DeadLetterQueueReceived',
      props.deadLetterQueue.metricNumberOfMessagesSent({ period, statistic: 'Sum' }),
      'A new event reached the dead-letter queue (this alarm fires again for each new one, while the queue-depth alarm stays raised): a run, a validation or an SES event record gave up after its retries.',
    );
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    alarm(
      'SesBounceRate',
      reputation('Reputation.BounceRate'),
      '5% or more of the reports bounced (SES reviews an account at 5% and may pause its sending at 10%). The bounces went to the operations topic: remove or fix those addresses.',
      { threshold: 0.05 },
    );
    alarm(
      'SesComplaintRate',
      reputation('Reputation.ComplaintRate'),
      'Recipients marked 0.1% or more of the reports as spam (SES reviews an account at 0.1% and may pause its sending at 0.5%). The complaints went to the operations topic.',
      { threshold: 0.001 },
    );
    alarm(
      'ScheduleInvocationsDropped',
      props.scheduleGroup.metricDropped({ period, statistic: 'Sum' }),
      'EventBridge Scheduler dropped the quarterly run or an upload sweep after its retries. Run the quarter through the API (a dropped sweep is made up by the next one).',
    );
    alarm(
      'ScheduleTargetErrors',
      props.scheduleGroup.metricTargetErrors({ period, statistic: 'Sum' }),
      'EventBridge Scheduler could not invoke the run function or the validate function (permissions, throttling, deleted function).',
    );
    alarm(
      'ScheduleDeadLetterFailures',
      props.scheduleGroup.metricFailedToBeSentToDLQ(undefined, { period, statistic: 'Sum' }),
      'EventBridge Scheduler could not put a failed run into the dead-letter queue: that run is lost. Run the quarter through the API.',
    );
  }
}
