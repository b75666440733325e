-- The preferred language (as recorded now) of the region's young people supported in the period
-- (an episode opened by its last day and not closed – its last "closed" event – before its
-- first), each once: by language and by their other dimensions; headline: the people supported
-- and the share preferring Welsh.
WITH y AS (
  SELECT c.id, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age
  FROM people_child c
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE o.region_id = %(region)s
    AND EXISTS (SELECT 1 FROM episodes_episode e
                WHERE e.child_id = c.id AND e.opened_on <= %(end)s
                  AND (e.status <> 'closed'
                       OR EXISTS (SELECT 1 FROM episodes_episodeevent v
                                  WHERE v.episode_id = e.id AND v.kind = 'closed' AND v."on" >= %(start)s)))
)
SELECT x.dimension, x.category, count(*) AS value
FROM y
CROSS JOIN LATERAL (VALUES
  ('language', y.preferred_language),
  ('service', y.service_id::text),
  ('region', y.region_id::text),
  ('local_authority', COALESCE(y.responsible_local_authority_id::text, '')),
  ('legal_status', y.legal_status),
  ('gender', y.gender),
  ('ethnicity', y.ethnicity),
  ('age_band', CASE WHEN y.age BETWEEN 0 AND 4 THEN '0-4' WHEN y.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN y.age BETWEEN 11 AND 15 THEN '11-15' WHEN y.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN y.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.n
FROM (SELECT count(*) AS supported, count(*) FILTER (WHERE preferred_language = 'cy') AS welsh FROM y) t
CROSS JOIN LATERAL (VALUES
  ('supported', t.supported), ('prefer_welsh.numerator', t.welsh), ('prefer_welsh.denominator', t.supported)
) AS f(code, n)
