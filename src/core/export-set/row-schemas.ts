/**
 * zod schemas for one row of each dataset. A row arrives as the trimmed text of its
 * columns (`undefined` when empty or absent) and leaves typed: dates as day numbers of
 * the reporting time zone, channels and surveys normalised, amounts as exact integers.
 * Every message names the column, the value and the fix, because operations read them.
 */
import * as z from 'zod';
import type { Config } from '../config';
import { type DayInZone, parseDate, parseEventDay } from '../dates';
import { excerpt } from '../excerpt';
import { NANOS_PER_UNIT, parseDecimalNanos } from './decimal';

type RawRow = Record<string, string | undefined>;

const required = (column: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `${column} is empty; it is required` : `${column} must be text`,
  });

const optional = z.string().optional();

const date = (column: string) =>
  required(column).transform((text, ctx) => {
    const day = parseDate(text);
    if (day === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${column} '${excerpt(text)}' is not a valid date; use YYYY-MM-DD`,
      });
      return z.NEVER;
    }
    return day;
  });

const optionalDate = (column: string) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const day = parseDate(text);
      if (day === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${column} '${excerpt(text)}' is not a valid date; use YYYY-MM-DD or leave it empty`,
        });
        return z.NEVER;
      }
      return day;
    });

const eventDay = (column: string, toDay: DayInZone) =>
  required(column).transform((text, ctx) => {
    const day = parseEventDay(text, toDay);
    if (day === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${column} '${excerpt(text)}' is not a valid date or date-time; use YYYY-MM-DD or ISO 8601 such as 2026-07-01T09:30:00Z`,
      });
      return z.NEVER;
    }
    return day;
  });

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

const number = (column: string) =>
  required(column).transform((text, ctx) => {
    if (!NUMBER.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `${column} '${excerpt(text)}' is not a number; use digits such as 4 or 7.5`,
      });
      return z.NEVER;
    }
    const value = Number(text);
    // 400 digits are digits, but not a number the KPIs can use (they would read as Infinity).
    if (!Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: `${column} '${excerpt(text)}' is too large to be a number` });
      return z.NEVER;
    }
    return value;
  });

/**
 * The largest support cost a row may carry, in absolute value (exclusive): far beyond any
 * real cost, and small enough that any sum of such amounts stays a finite number.
 */
export const MAX_AMOUNT_NANOS = 10n ** 15n * NANOS_PER_UNIT;

/** An optional end date (`churned_on`, `ended_on`) must come after its start date. */
function endsAfterStart<Start extends string, End extends string>(start: Start, end: End) {
  return (ctx: z.core.ParsePayload<Record<Start, number> & Record<End, number | undefined>>) => {
    const startDay = ctx.value[start];
    const endDay = ctx.value[end];
    if (endDay !== undefined && endDay <= startDay) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: [end],
        message: `${end} must be after ${start}; fix either date or leave ${end} empty`,
      });
    }
  };
}

export type Channel = 'self_service' | 'assisted';
export type SurveyKind = 'cess' | 'nps';

export function createRowSchemas(config: Pick<Config, 'channelLabels'>, toDay: DayInZone) {
  // A Map, not an object: a channel such as `constructor` or `__proto__` is text like any other.
  const channelLabels = new Map<string, Channel>([
    ...Object.entries(config.channelLabels),
    ['self_service', 'self_service'],
    ['assisted', 'assisted'],
  ]);
  const accepted = [...channelLabels.keys()].sort().join(', ');

  const clients = z
    .object({
      client_id: required('client_id'),
      customer_since: date('customer_since'),
      churned_on: optionalDate('churned_on'),
    })
    .check(endsAfterStart('customer_since', 'churned_on'));

  const interactions = z.object({
    interaction_id: required('interaction_id'),
    client_id: required('client_id'),
    occurred_at: eventDay('occurred_at', toDay),
    channel: required('channel').transform((text, ctx): Channel => {
      const channel = channelLabels.get(text.toLowerCase());
      if (channel === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `channel '${excerpt(text)}' is not one of ${accepted}; map other labels in the configuration's channelLabels`,
        });
        return z.NEVER;
      }
      return channel;
    }),
  });

  const services = z
    .object({
      client_id: required('client_id'),
      service: required('service'),
      started_on: date('started_on'),
      ended_on: optionalDate('ended_on'),
    })
    .check(endsAfterStart('started_on', 'ended_on'));

  const surveys = z
    .object({
      response_id: required('response_id'),
      client_id: required('client_id'),
      submitted_at: eventDay('submitted_at', toDay),
      survey: required('survey').transform((text, ctx): SurveyKind => {
        const kind = text.toLowerCase();
        if (kind !== 'cess' && kind !== 'nps') {
          ctx.addIssue({ code: 'custom', message: `survey '${excerpt(text)}' is not cess or nps` });
          return z.NEVER;
        }
        return kind;
      }),
      score: number('score'),
      scale_max: number('scale_max').optional(),
    })
    .check((ctx) => {
      const { survey, score, scale_max } = ctx.value;
      const fail = (path: string, message: string) =>
        ctx.issues.push({ code: 'custom', input: ctx.value, path: [path], message });
      if (survey === 'nps') {
        if (scale_max !== undefined && scale_max !== 10) {
          fail('scale_max', `scale_max ${scale_max} is not allowed for nps; leave it empty or write 10`);
        } else if (!Number.isInteger(score) || score < 0 || score > 10) {
          fail('score', `nps score ${score} is not a whole number from 0 to 10`);
        }
      } else if (scale_max !== undefined && scale_max <= 0) {
        fail('scale_max', `scale_max ${scale_max} must be greater than 0`);
      } else if (score < 0 || score > (scale_max ?? 100)) {
        fail('score', `cess score ${score} is outside 0 to ${scale_max ?? 100} (its scale_max)`);
      }
    });

  const supportCosts = z.object({
    incurred_on: date('incurred_on'),
    amount: required('amount').transform((text, ctx) => {
      const nanos = parseDecimalNanos(text);
      if (nanos === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `amount '${excerpt(text)}' is not a decimal number; write it like 1234.56 or -100 (no currency sign or thousands separator)`,
        });
        return z.NEVER;
      }
      if (nanos >= MAX_AMOUNT_NANOS || -nanos >= MAX_AMOUNT_NANOS) {
        ctx.addIssue({
          code: 'custom',
          message: `amount '${excerpt(text)}' is out of range: a support cost must be below 1,000,000,000,000,000 (either sign)`,
        });
        return z.NEVER;
      }
      return nanos;
    }),
    client_id: optional,
  });

  return { clients, interactions, services, surveys, support_costs: supportCosts };
}

export type RowSchemas = ReturnType<typeof createRowSchemas>;
export type ClientRow = z.output<RowSchemas['clients']>;
export type InteractionRow = z.output<RowSchemas['interactions']>;
export type ServiceRow = z.output<RowSchemas['services']>;
export type SurveyRow = z.output<RowSchemas['surveys']>;
export type SupportCostRow = z.output<RowSchemas['support_costs']>;

/** The first problem zod found in a row, as one sentence for the data-quality report. */
export function describeRowError(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue?.message ?? 'the row is not valid';
}

export type { RawRow };
