-- Training given to carers and other trusted adults (people.NestTraining) on a day of the period,
-- for the region's services (the young person's service, through whom the carer is recorded; no
-- other filter applies): sessions by topic and by Trauma-Informed Wales level ('' where not
-- recorded); headline: the sessions and the people trained, each once.
WITH t AS (
  SELECT t.related_person_id, t.topic, t.practice_level
  FROM people_nesttraining t
  JOIN people_relatedperson p ON p.id = t.related_person_id
  JOIN people_child c ON c.id = p.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE t.given_on BETWEEN %(start)s AND %(end)s AND o.region_id = %(region)s
)
SELECT x.dimension, x.category, count(*) AS value
FROM t
CROSS JOIN LATERAL (VALUES ('topic', t.topic), ('practice_level', t.practice_level)) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.value
FROM (SELECT count(*) AS sessions, count(DISTINCT related_person_id) AS people FROM t) s
CROSS JOIN LATERAL (VALUES ('sessions', s.sessions), ('people', s.people)) AS f(code, value)
