-- Young people of the region's services with an episode open at some time in the period (opened
-- by its last day, not closed before its first: an episode's closing date is its last "closed"
-- event), each once: by the young person's dimensions; and the headline supported / new (an
-- episode opened in the period) / closed (one closed in it).
WITH e AS (
  SELECT e.child_id, e.opened_on, e.status, x.closed_on
  FROM episodes_episode e
  JOIN people_child c ON c.id = e.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  LEFT JOIN LATERAL (SELECT max(v."on") AS closed_on FROM episodes_episodeevent v
                     WHERE v.episode_id = e.id AND v.kind = 'closed') x ON true
  WHERE e.opened_on <= %(end)s AND (e.status <> 'closed' OR x.closed_on >= %(start)s)
    AND o.region_id = %(region)s
),
y AS (
  SELECT c.id, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity, CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age,
         bool_or(e.opened_on >= %(start)s) AS new,
         bool_or(e.status = 'closed' AND e.closed_on BETWEEN %(start)s AND %(end)s) AS closed
  FROM e JOIN people_child c ON c.id = e.child_id JOIN accounts_organisation o ON o.id = c.service_id
  GROUP BY c.id, o.region_id
)
SELECT x.dimension, x.category, count(*) AS value
FROM y
CROSS JOIN LATERAL (VALUES
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
FROM (SELECT count(*) AS supported, count(*) FILTER (WHERE new) AS new, count(*) FILTER (WHERE closed) AS closed FROM y) t
CROSS JOIN LATERAL (VALUES ('supported', t.supported), ('new', t.new), ('closed', t.closed)) AS f(code, n)
