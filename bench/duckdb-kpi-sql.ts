/**
 * The seven company-level KPIs of shared/spec/kpis.md as DuckDB SQL, in three versions
 * (`DuckDbKpiQuery`), so the benchmark compares kpi-report with a general-purpose engine
 * doing the same work.
 *
 * `uniqueness-check` ("DuckDB (uniqueness check)", the issue's baseline): DuckDB's SQL
 * computing the company KPIs with the `interaction_id` uniqueness check, written the way
 * DuckDB runs best, every file read in parallel on all threads. The row rules below are
 * applied to every row, but repeated ids are checked, not resolved, and nothing depends
 * on file order:
 * - clients: a `client_id` counts once however many valid rows it has; it is active (a
 *   customer at start, retained) when any of its valid rows says so.
 * - interactions: every valid row in the quarter counts, a repeated `interaction_id`
 *   included. The uniqueness check is a query of its own (`interactionIdCheck`): rows
 *   with an id, distinct ids, and ids on more than one row (GROUP BY interaction_id,
 *   count(*) > 1), reported next to the values. It reads the file a second time; doing
 *   both in one pass (GROUPING SETS) measured no faster, the cost being the hash of every id.
 * - surveys: every valid response in the quarter counts, a repeated `response_id` included.
 * So where an export repeats ids (the generated sets do, a few hundred per million rows)
 * its values can differ slightly from kpi-report's: the benchmark prints the differences
 * as information, not as warnings.
 *
 * `first-row-kept` ("DuckDB (contract rules, first row kept)"): the export contract of
 * shared/spec/exports.md exactly, so that its values must equal kpi-report's: every row
 * validated, bad rows rejected, and for a repeated id the first valid row in file order
 * kept and the later ones rejected. `WITH ORDINALITY` numbers the rows as they are in the
 * file and `arg_min(…, line)` takes the earliest; only then are rows outside the quarter
 * dropped, so a later duplicate inside the quarter never replaces an earlier row outside
 * it. The price: DuckDB numbers rows in a streaming window, so the pipeline that reads,
 * parses and hashes a file with row numbers (clients, interactions, surveys) runs on one
 * thread instead of two.
 *
 * `typed-read` ("DuckDB (typed read_csv)"): DuckDB as a skilled user writes it for speed,
 * the fastest of the three and the peer the benchmark's ratios are taken against.
 * `read_csv` with every column typed (`columns = {…}`, `auto_detect = false`), so DuckDB's
 * native parser does the dates, time stamps and numbers; a row whose cell does not parse
 * is set aside by `store_rejects` (counted in `rejected_rows`) instead of failing the read;
 * a time stamp that does not parse (`2026-13-01`) reads as NULL and falls outside the
 * quarter's bounds.
 * Rows are grouped on their raw values first (client, channel) and the channel or survey
 * kind normalised after grouping, over a few thousand groups instead of every row; the
 * time stamps are compared with the quarter's bounds as instants (no per-row day). The
 * uniqueness check is `count(DISTINCT interaction_id)` against the rows with an id. Its
 * rules are DuckDB's, not the contract's text rules: a date-time DuckDB's parser accepts
 * but kpi-report does not (or the reverse) counts differently, and a repeated id counts
 * every row as in the uniqueness check; the generated sets exercise neither beyond a few
 * hundred rows per million, so its values are printed as information.
 *
 * The row rules the two text-reading queries apply (and where they are narrower than kpi-report):
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
 *   given, must be a valid date after `customer_since`.
 * - interactions: id, client, a valid `occurred_at` and a channel of `self_service` or
 *   `assisted` (any case) are required, and the client must be in the book.
 * - services: client in the book, a service name, a valid `started_on`, an `ended_on`
 *   (when given) after it. In use during Q when `started_on <= Q.end` and (`ended_on`
 *   empty or `ended_on > Q.start`); a service counts once per client.
 * - surveys: id, client in the book, a valid `submitted_at`, plus the score rules: `nps`
 *   a whole number 0 to 10 with `scale_max` empty or 10; `cess` 0 to `scale_max`
 *   (default 100), `scale_max` above 0. CESS sums, per response,
 *   round(score / scale_max × 100 × 10⁶) as kpi-report does, so both add the same integers.
 * - support_costs: a valid `incurred_on`, a plain decimal `amount` (summed as
 *   DECIMAL(38,9), i.e. exact to the nano like kpi-report), and a `client_id`, when
 *   given, in the book. The company figure is all costs in Q over active clients.
 * - Every ratio is computed as (numerator × scale) / denominator in DOUBLE, as
 *   kpi-report does, and is NULL when the denominator is 0.
 */

/** The three versions of the SQL; see the top of this file. */
import type { DatasetName } from '../src/core/export-set/contract';
import { DATASET_COLUMNS } from '../src/demo/generate-exports';

export const DUCKDB_KPI_QUERIES = ['typed-read', 'uniqueness-check', 'first-row-kept'] as const;
export type DuckDbKpiQuery = (typeof DUCKDB_KPI_QUERIES)[number];

export interface KpiSqlOptions {
  /** Directory holding the five `<dataset>.csv` files. */
  readonly exportDirectory: string;
  /** First and last day of the quarter, `YYYY-MM-DD`. */
  readonly quarterStart: string;
  readonly quarterEnd: string;
  /** A served client is independent when its self-service share is at least this (kpis.md default 0.8). */
  readonly independenceThreshold: number;
  readonly query: DuckDbKpiQuery;
}

export interface KpiSql {
  /** Set-up, then the client book and the per-dataset totals as temporary tables. */
  readonly setup: string[];
  /** One row: every count and sum, and the seven values. */
  readonly result: string;
  /**
   * One row of interactions.csv's id counts, `rows_with_id` and `distinct_ids`, and for
   * `uniqueness-check` also `repeated_ids` (ids on more than one row). Undefined for
   * `first-row-kept`.
   */
  readonly interactionIdCheck: string | undefined;
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

/** What the per-query statements need. */
interface Context {
  readonly start: string;
  readonly end: string;
  readonly csv: (dataset: string) => string;
}

/** The statements of one query that differ from the other's: client book, interactions, surveys. */
interface QueryStatements {
  readonly book: string;
  readonly interactions: string;
  readonly surveys: string;
  readonly interactionIdCheck: string | undefined;
}

/** clients.csv: the columns of `typed` a row is valid by. */
const VALID_CLIENT = 'since IS NOT NULL AND (churned_on IS NULL OR churned > since)';

/** surveys.csv: the score rules, over the columns of `typed`. */
const VALID_SCORE = `score IS NOT NULL
  AND (scale_text IS NULL OR given_scale IS NOT NULL)
  AND CASE survey
    WHEN 'nps' THEN (given_scale IS NULL OR given_scale = 10) AND score = floor(score) AND score BETWEEN 0 AND 10
    WHEN 'cess' THEN (given_scale IS NULL OR given_scale > 0) AND score BETWEEN 0 AND coalesce(given_scale, 100)
    ELSE false
  END`;

/** surveys.csv parsed, `line` first when `numbered`. */
function typedSurveys(context: Context, numbered: boolean): string {
  return `SELECT ${numbered ? 'ordinality AS line, ' : ''}response_id, client_id, event_day(submitted_at) AS day,
              lower(survey) AS survey, scale_max AS scale_text,
              CASE WHEN is_number(score) THEN score::DOUBLE END AS score,
              CASE WHEN is_number(scale_max) THEN scale_max::DOUBLE END AS given_scale
       FROM ${context.csv('surveys')}${numbered ? ' WITH ORDINALITY' : ''}`;
}

/**
 * The survey totals over `responses` (columns day, survey, score, scale_max), counting the
 * rows for which `counted` holds and whose day is in the quarter.
 */
function surveyTotals(context: Context, responses: string, counted: string): string {
  const where = (condition: string) =>
    `FILTER (WHERE ${counted} AND day BETWEEN ${context.start} AND ${context.end} AND ${condition})`;
  return `SELECT
       coalesce(sum(round(score / scale_max * 100 * 1000000)) ${where("survey = 'cess'")}, 0) AS cess_micro_points,
       count(*) ${where("survey = 'cess'")} AS cess_responses,
       count(*) ${where("survey = 'nps' AND score >= 9")} AS promoters,
       count(*) ${where("survey = 'nps' AND score <= 6")} AS detractors,
       count(*) ${where("survey = 'nps'")} AS nps_responses
     FROM ${responses}`;
}

/** The client book's populations, over `since` and `churned`. */
function populations(context: Context): { active: string; atStart: string; retained: string } {
  const { start, end } = context;
  return {
    active: `since <= ${end} AND (churned IS NULL OR churned > ${start})`,
    atStart: `since < ${start} AND (churned IS NULL OR churned > ${start})`,
    retained: `since < ${start} AND (churned IS NULL OR churned > ${end})`,
  };
}

/** The contract exactly: the first valid row of each id, by file order. */
function firstRowKept(context: Context): QueryStatements {
  const { start, end, csv } = context;
  const population = populations(context);
  return {
    book: `CREATE TEMP TABLE book AS
     WITH typed AS (
       SELECT ordinality AS line, client_id, civil_date(customer_since) AS since,
              churned_on, civil_date(churned_on) AS churned
       FROM ${csv('clients')} WITH ORDINALITY
     ), first_rows AS (
       SELECT client_id,
              arg_min({'since': since, 'churned': churned}, line) FILTER (WHERE ${VALID_CLIENT}) AS kept
       FROM typed WHERE client_id IS NOT NULL GROUP BY client_id
     ), clients AS (
       SELECT client_id, kept.since AS since, kept.churned AS churned FROM first_rows WHERE kept IS NOT NULL
     )
     SELECT client_id, ${population.active} AS active, ${population.atStart} AS at_start,
            ${population.retained} AS retained
     FROM clients`,

    interactions: `CREATE TEMP TABLE interactions_by_client AS
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

    surveys: `CREATE TEMP TABLE survey_totals AS
     WITH typed AS (
       ${typedSurveys(context, true)}
     ), first_rows AS (
       SELECT arg_min({'day': day, 'survey': survey, 'score': score, 'scale_max': coalesce(given_scale, 100)}, line)
                FILTER (WHERE book.client_id IS NOT NULL AND day IS NOT NULL AND ${VALID_SCORE}) AS kept
       FROM typed LEFT JOIN book ON typed.client_id = book.client_id
       WHERE response_id IS NOT NULL
       GROUP BY response_id
     ), responses AS (
       SELECT kept.day AS day, kept.survey AS survey, kept.score AS score, kept.scale_max AS scale_max
       FROM first_rows
     )
     ${surveyTotals(context, 'responses', 'day IS NOT NULL')}`,

    interactionIdCheck: undefined,
  };
}

/** DuckDB's natural parallel SQL: no row numbers; repeated interaction ids checked, not resolved. */
function uniquenessCheck(context: Context): QueryStatements {
  const { start, end, csv } = context;
  const population = populations(context);
  return {
    book: `CREATE TEMP TABLE book AS
     WITH typed AS (
       SELECT client_id, civil_date(customer_since) AS since, churned_on, civil_date(churned_on) AS churned
       FROM ${csv('clients')}
     ), by_client AS (
       SELECT client_id,
              count(*) FILTER (WHERE ${VALID_CLIENT}) AS valid_rows,
              bool_or(${population.active}) FILTER (WHERE ${VALID_CLIENT}) AS active,
              bool_or(${population.atStart}) FILTER (WHERE ${VALID_CLIENT}) AS at_start,
              bool_or(${population.retained}) FILTER (WHERE ${VALID_CLIENT}) AS retained
       FROM typed WHERE client_id IS NOT NULL GROUP BY client_id
     )
     SELECT client_id, active, at_start, retained FROM by_client WHERE valid_rows > 0`,

    // Grouped by client over every row first, then limited to the book: the join then
    // touches one row per client instead of one per interaction.
    interactions: `CREATE TEMP TABLE interactions_by_client AS
     WITH typed AS (
       SELECT interaction_id, client_id, event_day(occurred_at) AS day, lower(channel) AS channel
       FROM ${csv('interactions')}
     ), by_client AS (
       SELECT client_id,
              count(*) FILTER (WHERE interaction_id IS NOT NULL AND day BETWEEN ${start} AND ${end}
                AND channel = 'self_service') AS self_service,
              count(*) FILTER (WHERE interaction_id IS NOT NULL AND day BETWEEN ${start} AND ${end}
                AND channel = 'assisted') AS assisted
       FROM typed GROUP BY client_id
     )
     SELECT client_id, self_service, assisted
     FROM by_client
     WHERE self_service + assisted > 0 AND client_id IN (SELECT client_id FROM book)`,

    surveys: `CREATE TEMP TABLE survey_totals AS
     WITH typed AS (
       ${typedSurveys(context, false)}
     ), responses AS (
       SELECT day, survey, score, coalesce(given_scale, 100) AS scale_max,
              response_id IS NOT NULL AND book.client_id IS NOT NULL AND day IS NOT NULL AND ${VALID_SCORE} AS valid
       FROM typed LEFT JOIN book ON typed.client_id = book.client_id
     )
     ${surveyTotals(context, 'responses', 'valid')}`,

    interactionIdCheck: `SELECT sum(rows)::DOUBLE AS rows_with_id, count(*)::DOUBLE AS distinct_ids,
            count(*) FILTER (WHERE rows > 1)::DOUBLE AS repeated_ids
     FROM (
       SELECT interaction_id, count(*) AS rows
       FROM ${csv('interactions')}
       WHERE interaction_id IS NOT NULL
       GROUP BY interaction_id
     )`,
  };
}

/** DuckDB's type of each column that is not text; every other column reads as VARCHAR. */
const COLUMN_TYPES: Readonly<Record<string, string>> = {
  customer_since: 'DATE',
  churned_on: 'DATE',
  occurred_at: 'TIMESTAMPTZ',
  started_on: 'DATE',
  ended_on: 'DATE',
  submitted_at: 'TIMESTAMPTZ',
  score: 'DOUBLE',
  scale_max: 'DOUBLE',
  incurred_on: 'DATE',
  amount: 'DECIMAL(38, 9)',
};

/** DuckDB at its best: typed columns, rejects set aside, grouping on raw values. */
function typedRead(context: Context, directory: string): { setup: string[]; interactionIdCheck: string } {
  const { start, end } = context;
  // The KPI scans keep their rejects (reject_errors); the id check's second scan of
  // interactions.csv skips them, so no rejected row is counted twice.
  const csv = (dataset: DatasetName, rejects: 'store_rejects' | 'ignore_errors' = 'store_rejects') => {
    // The generated files' columns, in the order the generator writes them.
    const columns = DATASET_COLUMNS[dataset]
      .map((name) => `${text(name)}: ${text(COLUMN_TYPES[name] ?? 'VARCHAR')}`)
      .join(', ');
    return `read_csv(${text(`${directory}/${dataset}.csv`)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {${columns}}, ${rejects} = true)`;
  };
  // The quarter as instants: its first moment and the first moment after it, in UTC.
  const from = `(${start})::TIMESTAMPTZ`;
  const until = `(${end} + 1)::TIMESTAMPTZ`;
  const population = populations(context);
  return {
    setup: [
      `SET TimeZone = 'UTC'`,
      `CREATE TEMP TABLE book AS
       WITH by_client AS (
         SELECT client_id,
                bool_or(${population.active}) AS active,
                bool_or(${population.atStart}) AS at_start,
                bool_or(${population.retained}) AS retained
         FROM (SELECT client_id, customer_since AS since, churned_on AS churned FROM ${csv('clients')})
         WHERE client_id IS NOT NULL AND since IS NOT NULL AND (churned IS NULL OR churned > since)
         GROUP BY client_id
       )
       SELECT * FROM by_client`,
      `CREATE TEMP TABLE interactions_by_client AS
       WITH grouped AS (
         SELECT client_id, channel, count(*) AS rows
         FROM ${csv('interactions')}
         WHERE interaction_id IS NOT NULL AND occurred_at >= ${from} AND occurred_at < ${until}
         GROUP BY client_id, channel
       ), by_client AS (
         SELECT client_id,
                coalesce(sum(rows) FILTER (WHERE lower(channel) = 'self_service'), 0)::BIGINT AS self_service,
                coalesce(sum(rows) FILTER (WHERE lower(channel) = 'assisted'), 0)::BIGINT AS assisted
         FROM grouped GROUP BY client_id
       )
       SELECT * FROM by_client
       WHERE self_service + assisted > 0 AND client_id IN (SELECT client_id FROM book)`,
      `CREATE TEMP TABLE services_by_client AS
       SELECT client_id, count(DISTINCT service) AS services
       FROM ${csv('services')}
       WHERE client_id IN (SELECT client_id FROM book) AND service IS NOT NULL AND started_on IS NOT NULL
         AND (ended_on IS NULL OR ended_on > started_on)
         AND started_on <= ${end} AND (ended_on IS NULL OR ended_on > ${start})
       GROUP BY client_id`,
      `CREATE TEMP TABLE survey_totals AS
       WITH grouped AS (
         SELECT client_id, survey, score, scale_max, count(*) AS rows
         FROM ${csv('surveys')}
         WHERE response_id IS NOT NULL AND score IS NOT NULL
           AND submitted_at >= ${from} AND submitted_at < ${until}
         GROUP BY ALL
       ), responses AS (
         SELECT lower(survey) AS survey, score, coalesce(scale_max, 100) AS scale_max, given_scale, rows
         FROM (SELECT *, scale_max AS given_scale FROM grouped)
         WHERE client_id IN (SELECT client_id FROM book)
       ), valid AS (
         SELECT * FROM responses WHERE CASE survey
           WHEN 'nps' THEN (given_scale IS NULL OR given_scale = 10) AND score = floor(score) AND score BETWEEN 0 AND 10
           WHEN 'cess' THEN (given_scale IS NULL OR given_scale > 0) AND score BETWEEN 0 AND scale_max
           ELSE false
         END
       )
       SELECT
         coalesce(sum(rows * round(score / scale_max * 100 * 1000000)) FILTER (WHERE survey = 'cess'), 0) AS cess_micro_points,
         coalesce(sum(rows) FILTER (WHERE survey = 'cess'), 0) AS cess_responses,
         coalesce(sum(rows) FILTER (WHERE survey = 'nps' AND score >= 9), 0) AS promoters,
         coalesce(sum(rows) FILTER (WHERE survey = 'nps' AND score <= 6), 0) AS detractors,
         coalesce(sum(rows) FILTER (WHERE survey = 'nps'), 0) AS nps_responses
       FROM valid`,
      `CREATE TEMP TABLE cost_totals AS
       SELECT coalesce(sum(amount), 0)::DOUBLE AS cost
       FROM ${csv('support_costs')}
       WHERE incurred_on BETWEEN ${start} AND ${end} AND amount IS NOT NULL
         AND (client_id IS NULL OR client_id IN (SELECT client_id FROM book))`,
    ],
    interactionIdCheck: `SELECT count(interaction_id)::DOUBLE AS rows_with_id,
            count(DISTINCT interaction_id)::DOUBLE AS distinct_ids,
            (SELECT count(DISTINCT (scan_id, line)) FROM reject_errors)::DOUBLE AS rejected_rows
     FROM ${csv('interactions', 'ignore_errors')}`,
  };
}

/**
 * The statements, in order: set-up and the client book and per-dataset totals as temporary
 * tables, then one final SELECT whose single row holds every count and the seven values;
 * for `uniqueness-check` also the interaction_id check.
 */
export function buildKpiSql(options: KpiSqlOptions): KpiSql {
  const start = dateLiteral(options.quarterStart);
  const end = dateLiteral(options.quarterEnd);
  const threshold = Number(options.independenceThreshold);
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`independence threshold ${threshold}`);
  const csv = (dataset: string) =>
    `read_csv(${text(`${options.exportDirectory}/${dataset}.csv`)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`;
  const context: Context = { start, end, csv };
  if (options.query === 'typed-read') {
    const typed = typedRead(context, options.exportDirectory);
    return { setup: typed.setup, result: resultSql(threshold), interactionIdCheck: typed.interactionIdCheck };
  }
  const query = options.query === 'first-row-kept' ? firstRowKept(context) : uniquenessCheck(context);

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

    // Each dataset is one projection (parse every cell once) feeding aggregates whose FILTER
    // is the contract's row rules. Written as a WHERE, the rules get pushed into the scan
    // and DuckDB evaluates the parsing expressions twice, once to filter and once to project.
    query.book,
    query.interactions,

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

    query.surveys,

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

  return { setup, result: resultSql(threshold), interactionIdCheck: query.interactionIdCheck };
}

/** The final SELECT over the temporary tables: one row of every count and the seven values. */
function resultSql(threshold: number): string {
  return `
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
}
