/**
 * The EventBridge Scheduler side of a kpi-report deployment, in the reporting time zone:
 * the quarterly run, and the upload sweep that reports an export set still missing a
 * dataset after the grace period even when no later upload arrives. Each schedule has a
 * role of its own, so that neither can invoke the other's function; both retry, then
 * dead-letter.
 */
import { Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { wildcardResourceFinding } from './nag-findings';
import type { ReportFunction } from './report-function';

export interface ReportSchedulesProps {
  /** When the quarterly run starts (`cron(…)`, `rate(…)` or `at(…)`), read in `timeZone`. */
  readonly scheduleExpression: string;
  /** How often the upload sweep runs (`rate(…)` or `cron(…)`), read in `timeZone`. */
  readonly uploadSweepExpression: string;
  /** The IANA time zone of both schedules. */
  readonly timeZone: string;
  readonly runFunction: ReportFunction;
  readonly validateFunction: ReportFunction;
  /** Where an invocation goes once its retries are spent. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class ReportSchedules extends Construct {
  readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The quarterly run: `{ "source": "schedule", "scheduledTime": … }` to the run function. */
  readonly schedule: scheduler.Schedule;
  /** The upload sweep: `{ "source": "sweep" }` to the validate function. */
  readonly uploadSweep: scheduler.Schedule;
  /** The role the upload sweep assumes. */
  readonly uploadSweepRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReportSchedulesProps) {
    super(scope, id);
    const timeZone = TimeZone.of(props.timeZone);
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const runRole = this.#schedulerRole('SchedulerRole', 'the kpi-report run function');
    this.schedule = new scheduler.Schedule(this, 'QuarterlyRun', {
      description: 'kpi-report: runs the last completed quarter and emails the report',
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.expression(props.scheduleExpression, timeZone),
      target: new targets.LambdaInvoke(props.runFunction, {
        role: runRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'schedule',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
    this.#acknowledgeQualifiedArns(runRole, props.runFunction, 'run');

    this.uploadSweepRole = this.#schedulerRole(
      'UploadSweepSchedulerRole',
      'the kpi-report validate function for the upload sweep',
    );
    this.uploadSweep = new scheduler.Schedule(this, 'UploadSweep', {
      description: 'kpi-report: reports export sets still missing a required dataset after the grace period',
      scheduleGroup: this.scheduleGroup,
      schedule: scheduler.ScheduleExpression.expression(props.uploadSweepExpression, timeZone),
      target: new targets.LambdaInvoke(props.validateFunction, {
        role: this.uploadSweepRole,
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'sweep' }),
        retryAttempts: 3,
        // The next sweep supersedes an undelivered one.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: props.deadLetterQueue,
      }),
    });
    this.#acknowledgeQualifiedArns(this.uploadSweepRole, props.validateFunction, 'validate');
  }

  /** A role only this schedule group of this account can assume. */
  #schedulerRole(id: string, what: string): iam.Role {
    return new iam.Role(this, id, {
      description: `EventBridge Scheduler: invokes ${what}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
        },
      }),
    });
  }

  #acknowledgeQualifiedArns(role: iam.Role, fn: ReportFunction, name: string): void {
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(this, `${fn.functionArn}:*`),
      reason: `The scheduler target grant (LambdaInvoke → grantInvoke) adds the function's qualified ARNs (versions, aliases); the role can still invoke only the ${name} function.`,
    });
  }
}
