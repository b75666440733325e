-- Training completed by the staff of the region's organisations (workforce.StaffTraining, the
-- staff member's organisation; no other filter applies) on a day of the period: sessions by topic
-- and by the Trauma-Informed Wales level on the staff record now ('' where there is no record or
-- no level); headline: the sessions, the people trained (each once) and the hours summed.
WITH t AS (
  SELECT t.user_id, t.topic, COALESCE(sp.practice_level, '') AS practice_level, t.hours
  FROM workforce_stafftraining t
  JOIN accounts_user u ON u.id = t.user_id
  JOIN accounts_organisation o ON o.id = u.organisation_id
  LEFT JOIN workforce_staffprofile sp ON sp.user_id = t.user_id
  WHERE t.completed_on BETWEEN %(start)s AND %(end)s AND o.region_id = %(region)s
)
SELECT x.dimension, x.category, count(*)::numeric AS value
FROM t
CROSS JOIN LATERAL (VALUES ('topic', t.topic), ('practice_level', t.practice_level)) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.value
FROM (SELECT count(*) AS sessions, count(DISTINCT user_id) AS people, sum(hours) AS hours FROM t) s
CROSS JOIN LATERAL (VALUES ('sessions', s.sessions::numeric), ('people', s.people),
                           ('hours.value', s.hours), ('hours.people', s.people)) AS f(code, value)
