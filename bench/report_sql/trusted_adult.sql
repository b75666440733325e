-- A good relationship with a trusted adult: the region's young people supported in the period, each once,
-- with their latest episode opened by the period's last day, when that episode was open in the
-- period (not closed, or its "closed" event on or after the first day). Their answers to the
-- question "trusted_adult" are those at the episode's measurement points taken by the last day (a
-- blank answer is no answer), first and latest in (date, id) order. Breakdown by answer: the
-- latest answer when there are two or more, "once", "not_asked"; and the young person's
-- dimensions. Headline: of those who answered at least twice (paired), yes at the first answer
-- and yes at the latest.
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
-- Each young person's answers, grouped with their own row (a separate grouped CTE joined back
-- would be estimated at a hundred times the rows – no statistics on a CTE's keys – and the cost
-- would buy seconds of JIT optimisation).
y AS (
  SELECT ch.episode_id, ch.service_id, ch.region_id, ch.responsible_local_authority_id, ch.legal_status,
         ch.preferred_language, ch.gender, ch.ethnicity, ch.age, count(m.id) AS n,
         (array_agg(m.answer ORDER BY m.taken_on, m.id))[1] AS first,
         (array_agg(m.answer ORDER BY m.taken_on DESC, m.id DESC))[1] AS latest
  FROM cohort ch
  LEFT JOIN (outcomes_measurementpoint p
             JOIN outcomes_measurement m ON m.point_id = p.id AND m.taken_on <= %(end)s AND m.answer <> ''
             JOIN outcomes_instrument i ON i.id = m.instrument_id AND i.code = 'trusted_adult')
    ON p.episode_id = ch.episode_id
  GROUP BY ch.episode_id, ch.service_id, ch.region_id, ch.responsible_local_authority_id, ch.legal_status,
           ch.preferred_language, ch.gender, ch.ethnicity, ch.age
),
z AS (
  SELECT y.*, CASE WHEN y.n = 0 THEN 'not_asked' WHEN y.n = 1 THEN 'once' ELSE y.latest END AS answer FROM y
)
SELECT x.dimension, x.category, count(*) AS value
FROM z y
CROSS JOIN LATERAL (VALUES
  ('answer', y.answer),
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
FROM (SELECT count(*) FILTER (WHERE n >= 2) AS paired,
             count(*) FILTER (WHERE n >= 2 AND first = 'yes') AS start_yes,
             count(*) FILTER (WHERE n >= 2 AND latest = 'yes') AS latest_yes
      FROM z) t
CROSS JOIN LATERAL (VALUES
  ('paired', t.paired),
  ('start_yes.numerator', t.start_yes), ('start_yes.denominator', t.paired),
  ('latest_yes.numerator', t.latest_yes), ('latest_yes.denominator', t.paired)
) AS f(code, n)
