-- NEST/NYTH self-assessment maturity for the region's services: each service's latest
-- self-assessment completed on or before the period's last day (latest by date, then by id; no
-- young person's filter applies). Its rated statements by level value and by domain code;
-- headline: the services included, the mean level over all their statements and per domain
-- (mean_<domain code>), each over the statements averaged.
WITH latest AS (
  SELECT DISTINCT ON (r.service_id) r.id, r.service_id
  FROM selfassess_round r
  JOIN accounts_organisation o ON o.id = r.service_id
  WHERE r.status = 'completed' AND r.assessed_on <= %(end)s AND o.region_id = %(region)s
  ORDER BY r.service_id, r.assessed_on DESC, r.id DESC
),
g AS (
  SELECT l.service_id, lv.value AS level, d.code AS domain
  FROM latest l
  JOIN selfassess_rating g ON g.round_id = l.id
  JOIN selfassess_level lv ON lv.id = g.level_id
  JOIN selfassess_statement s ON s.id = g.statement_id
  JOIN selfassess_domain d ON d.id = s.domain_id
)
SELECT x.dimension, x.category, count(*)::numeric AS value
FROM g
CROSS JOIN LATERAL (VALUES ('level', g.level::text), ('domain', g.domain)) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.value
FROM (SELECT count(DISTINCT service_id) AS services, avg(level) AS mean, count(*) AS n FROM g) a
CROSS JOIN LATERAL (VALUES ('services', a.services::numeric), ('mean_all.value', a.mean), ('mean_all.people', a.n))
  AS f(code, value)
UNION ALL
SELECT 'figure', f.code, f.value
FROM (SELECT domain, avg(level) AS mean, count(*) AS n FROM g GROUP BY domain) a
CROSS JOIN LATERAL (VALUES ('mean_' || a.domain || '.value', a.mean), ('mean_' || a.domain || '.people', a.n::numeric))
  AS f(code, value)
