/**
 * The seven company-level KPIs of shared/spec/kpis.md as DuckDB SQL, over the export
 * contract of shared/spec/exports.md, so the benchmark compares kpi-report with a
 * general-purpose engine doing the same work: every row validated the way the contract
 * says, bad rows rejected, duplicate ids resolved, then the same ratios.
 *
 * What the SQL does, rule by rule (and where it is narrower than kpi-report):
 * - Files: one plain `<dataset>.csv` per dataset (what the benchmark generates); no
 *   `.csv.gz` or part folders. Every cell is read as text (`all_varchar`); an empty one
 *   reads as NULL, i.e. missing. Narrower than kpi-report, which the generated sets do
 *   not exercise: cells are not trimmed (wrapping every cell in trim() made DuckDB's
 *   parsing expressions about twice as slow); header names must match exactly; a row
 *   with the wrong number of fields fails the read instead of being rejected.
 * - Dates must look like `YYYY-MM-DD` and be real calendar dates. Date-times must match
 *   the ISO 8601 shape kpi-report accepts; one with `Z` or an offset is an instant,
 *   bucketed into its UTC day (the session time zone is UTC, the reporting time zone of
 *   the benchmark); one without an offset is its date part. (DuckDB refuses second 60,
 *   which kpi-report reads as 59; the generated sets have none.)
 * - clients: `client_id` and a valid `customer_since` are required; `churned_on`, when
 *   given, must be a valid date after `customer_since`. Among the valid rows, the first
 *   row (in file order) of each `client_id` is kept, the later ones are rejected.
 * - interactions: id, client, a valid `occurred_at` and a channel of `self_service` or
 *   `assisted` (any case) are required, and the client must be in the book. Uniqueness
 *   check: among the rows that pass those checks, each `interaction_id` keeps its first
 *   row in file order (`WITH ORDINALITY` numbers the rows as they are in the file;
 *   `arg_min(…, line)` takes the earliest), exactly kpi-report's "first row kept". Only
 *   then are rows outside the quarter dropped, so a later duplicate inside the quarter
 *   never replaces an earlier row outside it. The price: DuckDB numbers rows in a
 *   streaming window, so the pipeline that reads, parses and hashes the file runs on
 *   one thread instead of two.
 * - services: client in the book, a service name, a valid `started_on`, an `ended_on`
 *   (when given) after it. In use during Q when `started_on <= Q.end` and (`ended_on`
 *   empty or `ended_on > Q.start`); a service counts once per client.
 * - surveys: as interactions (client in the book, first row per `response_id` kept),
 *   plus the score rules: `nps` a whole number 0 to 10 with `scale_max` empty or 10;
 *   `cess` 0 to `scale_max` (default 100), `scale_max` above 0. CESS sums, per response,
 *   round(score / scale_max × 100 × 10⁶) as kpi-report does, so both add the same integers.
 * - support_costs: a valid `incurred_on`, a plain decimal `amount` (summed as
 *   DECIMAL(38,9), i.e. exact to the nano like kpi-report), and a `client_id`, when
 *   given, in the book. The company figure is all costs in Q over active clients.
 * - Every ratio is computed as (numerator × scale) / denominator in DOUBLE, as
 *   kpi-report does, and is NULL when the denominator is 0.
 */

export interface KpiSqlOptions {
  /** Directory holding the five `<dataset>.csv` files. */
  readonly exportDirectory: string;
  /** First and last day of the quarter, `YYYY-MM-DD`. */
  readonly quarterStart: string;
  readonly quarterEnd: string;
  /** A served client is independent when its self-service share is at least this (kpis.md default 0.8). */
  readonly independenceThreshold: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A SQL string literal. */
function text(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function dateLiteral(day: string): string {
  if (!DAY.test(day)) throw new RangeError(`not a YYYY-MM-DD date: '${day}'`);
  return `DATE ${text(day)}`;
}

/**
 * The statements, in order: set-up and the client book as temporary tables, then one
 * final SELECT whose single row holds every count and the seven values.
 */
export function buildKpiSql(options: KpiSqlOptions): { setup: string[]; result: string } {
  const start = dateLiteral(options.quarterStart);
  const end = dateLiteral(options.quarterEnd);
  const threshold = Number(options.independenceThreshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`independence threshold ${threshold}`);
  const csv = (dataset: string) =>
    `read_csv(${text(`${options.exportDirectory}/${dataset}.csv`)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`;

  const setup = [
    `SET TimeZone = 'UTC'`,
    `CREATE MACRO civil_date(t) AS CASE WHEN regexp_full_match(t, '\\d{4}-\\d{2}-\\d{2}') THEN try_cast(t AS DATE) END`,
    // src/core/dates.ts: a date, or a date-time with an optional offset. An instant's UTC day is
    // its epoch day, by arithmetic: casting TIMESTAMPTZ to DATE goes through ICU and costs more.
    `CREATE MACRO event_day(t) AS CASE
       WHEN length(t) = 10 THEN civil_date(t)
       WHEN regexp_full_match(t, '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)?')
         THEN DATE '1970-01-01' + (epoch_us(try_cast(t AS TIMESTAMPTZ)) // 86400000000)::INTEGER
     END`,
    `CREATE MACRO is_number(t) AS regexp_full_match(t, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)')`,

    // Each dataset below is one projection (parse every cell once) feeding one aggregate whose
    // FILTER is the contract's row rules. Written as a WHERE, the rules get pushed into the scan
    // and DuckDB evaluates the parsing expressions twice, once to filter and once to project.
    `CREATE TEMP TABLE book AS
     WITH typed AS (
       SELECT ordinality AS line, client_id, civil_date(customer_since) AS since,
              churned_on, civil_date(churned_on) AS churned
       FROM ${csv('clients')} WITH ORDINALITY
     ), first_rows AS (
       SELECT client_id,
              arg_min({'since': since, 'churned': churned}, line)
                FILTER (WHERE since IS NOT NULL AND (churned_on IS NULL OR churned > since)) AS kept
       FROM typed WHERE client_id IS NOT NULL GROUP BY client_id
     ), clients AS (
       SELECT client_id, kept.since AS since, kept.churned AS churned FROM first_rows WHERE kept IS NOT NULL
     )
     SELECT client_id, since, churned,
            since <= ${end} AND (churned IS NULL OR churned > ${start}) AS active,
            since < ${start} AND (churned IS NULL OR churned > ${start}) AS at_start,
            since < ${start} AND (churned IS NULL OR churned > ${end}) AS retained
     FROM clients`,

    `CREATE TEMP TABLE interactions_by_client AS
     WITH typed AS (
       SELECT ordinality AS line, interaction_id, client_id, event_day(occurred_at) AS day,
              lower(channel) AS channel
       FROM ${csv('interactions')} WITH ORDINALITY
     ), first_rows AS (
       SELECT arg_min({'client_id': typed.client_id, 'day': day, 'self_service': channel = 'self_service'}, line)
                FILTER (WHERE book.client_id IS NOT NULL AND day IS NOT NULL AND channel IN ('self_service', 'assisted')) AS kept
       FROM typed LEFT JOIN book ON typed.client_id = book.client_id
       WHERE interaction_id IS NOT NULL
       GROUP BY interaction_id
     )
     SELECT kept.client_id AS client_id,
            count(*) FILTER (WHERE kept.self_service) AS self_service,
            count(*) FILTER (WHERE NOT kept.self_service) AS assisted
     FROM first_rows
     WHERE kept.day BETWEEN ${start} AND ${end}
     GROUP BY kept.client_id`,

    `CREATE TEMP TABLE services_by_client AS
     WITH typed AS (
       SELECT client_id, service, civil_date(started_on) AS started, ended_on, civil_date(ended_on) AS ended
       FROM ${csv('services')}
     )
     SELECT typed.client_id AS client_id,
            count(DISTINCT service) FILTER (WHERE
              book.client_id IS NOT NULL AND service IS NOT NULL AND started IS NOT NULL
              AND (ended_on IS NULL OR ended > started)
              AND started <= ${end} AND (ended IS NULL OR ended > ${start})) AS services
     FROM typed LEFT JOIN book ON typed.client_id = book.client_id
     GROUP BY typed.client_id`,

    `CREATE TEMP TABLE survey_totals AS
     WITH typed AS (
       SELECT ordinality AS line, response_id, client_id, event_day(submitted_at) AS day,
              lower(survey) AS survey, score AS score_text, scale_max AS scale_text,
              CASE WHEN is_number(score) THEN score::DOUBLE END AS score,
              CASE WHEN is_number(scale_max) THEN scale_max::DOUBLE END AS given_scale
       FROM ${csv('surveys')} WITH ORDINALITY
     ), first_rows AS (
       SELECT arg_min({'day': day, 'survey': survey, 'score': score, 'scale_max': coalesce(given_scale, 100)}, line)
                FILTER (WHERE book.client_id IS NOT NULL AND day IS NOT NULL AND score IS NOT NULL
                  AND (scale_text IS NULL OR given_scale IS NOT NULL)
                  AND CASE survey
                    WHEN 'nps' THEN (given_scale IS NULL OR given_scale = 10) AND score = floor(score) AND score BETWEEN 0 AND 10
                    WHEN 'cess' THEN (given_scale IS NULL OR given_scale > 0) AND score BETWEEN 0 AND coalesce(given_scale, 100)
                    ELSE false
                  END) AS kept
       FROM typed LEFT JOIN book ON typed.client_id = book.client_id
       WHERE response_id IS NOT NULL
       GROUP BY response_id
     )
     SELECT
       coalesce(sum(round(kept.score / kept.scale_max * 100 * 1000000)) FILTER (WHERE kept.survey = 'cess'), 0) AS cess_micro_points,
       count(*) FILTER (WHERE kept.survey = 'cess') AS cess_responses,
       count(*) FILTER (WHERE kept.survey = 'nps' AND kept.score >= 9) AS promoters,
       count(*) FILTER (WHERE kept.survey = 'nps' AND kept.score <= 6) AS detractors,
       count(*) FILTER (WHERE kept.survey = 'nps') AS nps_responses
     FROM first_rows
     WHERE kept.day BETWEEN ${start} AND ${end}`,

    `CREATE TEMP TABLE cost_totals AS
     WITH typed AS (
       SELECT civil_date(incurred_on) AS day, amount, client_id
       FROM ${csv('support_costs')}
     )
     SELECT coalesce(sum(try_cast(amount AS DECIMAL(38, 9))), 0)::DOUBLE AS cost
     FROM typed
     WHERE day IS NOT NULL AND is_number(amount)
       AND (client_id IS NULL OR client_id IN (SELECT client_id FROM book))
       AND day BETWEEN ${start} AND ${end}`,
  ];

  const result = `
    WITH client_totals AS (
      SELECT
        count(i.client_id)::DOUBLE AS served,
        count(*) FILTER (WHERE i.self_service::DOUBLE / (i.self_service + i.assisted) >= ${threshold}::DOUBLE)::DOUBLE AS independent,
        count(*) FILTER (WHERE b.active)::DOUBLE AS active,
        count(*) FILTER (WHERE b.active AND i.self_service > 0)::DOUBLE AS active_with_self_service,
        coalesce(sum(s.services) FILTER (WHERE b.active), 0)::DOUBLE AS active_services,
        count(*) FILTER (WHERE b.at_start)::DOUBLE AS customers_at_start,
        count(*) FILTER (WHERE b.retained)::DOUBLE AS retained
      FROM book b
      LEFT JOIN interactions_by_client i USING (client_id)
      LEFT JOIN services_by_client s USING (client_id)
    ), totals AS (
      SELECT c.*,
             v.cess_micro_points::DOUBLE AS cess_micro_points, v.cess_responses::DOUBLE AS cess_responses,
             v.promoters::DOUBLE AS promoters, v.detractors::DOUBLE AS detractors,
             v.nps_responses::DOUBLE AS nps_responses, k.cost
      FROM client_totals c, survey_totals v, cost_totals k
    )
    SELECT *,
      CASE WHEN served > 0 THEN independent * 100 / served END AS "clientIndependenceRate",
      CASE WHEN active > 0 THEN active_with_self_service * 100 / active END AS "selfServiceAdoptionRate",
      CASE WHEN active > 0 THEN active_services / active END AS "relationshipDepth",
      CASE WHEN cess_responses > 0 THEN (cess_micro_points / 1000000) / cess_responses END AS "empowermentSatisfactionScore",
      CASE WHEN nps_responses > 0 THEN (promoters - detractors) * 100 / nps_responses END AS "netPromoterScore",
      CASE WHEN customers_at_start > 0 THEN retained * 100 / customers_at_start END AS "customerRetentionRate",
      CASE WHEN active > 0 THEN cost / active END AS "costToSupportPerClient"
    FROM totals`;
  return { setup, result };
}
