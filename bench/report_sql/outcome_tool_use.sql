-- Use of a standardised outcome tool: the region's young people supported in the period, each
-- once, with their latest episode opened by the period's last day, when that episode was open in
-- the period (not closed, or its "closed" event on or after the first day). A point of the
-- episode used a standardised tool when a scored measure (not a single question) was taken at it,
-- or a goal rated at it, by the last day. By use: start and review / start only / review only /
-- neither, and the young person's dimensions; headline: the people supported, the shares with a
-- start and with a review measure, and the start and review points not done (due by the last
-- day) by reason.
WITH latest AS (
  SELECT DISTINCT ON (e.child_id) e.id, e.child_id, e.status
  FROM episodes_episode e
  JOIN people_child c ON c.id = e.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE e.opened_on <= %(end)s AND o.region_id = %(region)s
  ORDER BY e.child_id, e.opened_on DESC, e.id DESC
),
cohort AS (
  SELECT l.id AS episode_id, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age
  FROM latest l
  JOIN people_child c ON c.id = l.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE l.status <> 'closed'
     OR EXISTS (SELECT 1 FROM episodes_episodeevent v
                WHERE v.episode_id = l.id AND v.kind = 'closed' AND v."on" >= %(start)s)
),
-- The start and review points of the cohort's episodes at which a standardised tool was used.
tools AS (
  SELECT p.episode_id, p.kind
  FROM cohort ch
  JOIN outcomes_measurementpoint p ON p.episode_id = ch.episode_id
  JOIN outcomes_measurement m ON m.point_id = p.id
  JOIN outcomes_instrument i ON i.id = m.instrument_id
  WHERE p.kind IN ('start', 'review') AND m.taken_on <= %(end)s AND i.scoring <> 'question'
  UNION ALL
  SELECT p.episode_id, p.kind
  FROM cohort ch
  JOIN outcomes_measurementpoint p ON p.episode_id = ch.episode_id
  JOIN outcomes_goalrating g ON g.point_id = p.id
  WHERE p.kind IN ('start', 'review') AND g.rated_on <= %(end)s
),
per_episode AS (
  SELECT episode_id, bool_or(kind = 'start') AS at_start, bool_or(kind = 'review') AS at_review
  FROM tools GROUP BY episode_id
),
y AS (
  SELECT ch.*,
         CASE WHEN e.at_start AND e.at_review THEN 'start_and_review' WHEN e.at_start THEN 'start_only'
              WHEN e.at_review THEN 'review_only' ELSE 'neither' END AS use
  FROM cohort ch LEFT JOIN per_episode e ON e.episode_id = ch.episode_id
)
SELECT x.dimension, x.category, count(*) AS value
FROM y
CROSS JOIN LATERAL (VALUES
  ('use', y.use),
  ('service', y.service_id::text),
  ('region', y.region_id::text),
  ('local_authority', COALESCE(y.responsible_local_authority_id::text, '')),
  ('legal_status', y.legal_status),
  ('language', y.preferred_language),
  ('gender', y.gender),
  ('ethnicity', y.ethnicity),
  ('age_band', CASE WHEN y.age BETWEEN 0 AND 4 THEN '0-4' WHEN y.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN y.age BETWEEN 11 AND 15 THEN '11-15' WHEN y.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN y.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.n
FROM (SELECT count(*) AS supported,
             count(*) FILTER (WHERE use IN ('start_and_review', 'start_only')) AS with_start,
             count(*) FILTER (WHERE use IN ('start_and_review', 'review_only')) AS with_review
      FROM y) t
CROSS JOIN LATERAL (VALUES
  ('supported', t.supported),
  ('with_start.numerator', t.with_start), ('with_start.denominator', t.supported),
  ('with_review.numerator', t.with_review), ('with_review.denominator', t.supported)
) AS f(code, n)
UNION ALL
SELECT 'figure', 'not_done_' || reason.code, count(p.id)
FROM (VALUES ('declined'), ('not_right_time'), ('unable'), ('not_suitable')) AS reason(code)
LEFT JOIN (outcomes_measurementpoint p JOIN cohort ch ON ch.episode_id = p.episode_id)
  ON p.not_done_reason = reason.code AND p.status = 'not_done' AND p.due_on <= %(end)s
     AND p.kind IN ('start', 'review')
GROUP BY reason.code
