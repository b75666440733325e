-- Placement stability for the region's young people. A move is a placement starting that is not
-- the young person's earliest recorded one (by start date, then by id); placement breakdown
-- events are never added. During support: moves on a day of the period while an episode was open
-- (opened by that day, not closed before it), by the type of the placement moved to and by the
-- young person's dimensions; per young person-year of support in the period (days of open
-- support, both ends inclusive, ÷ 365.25, over the young people supported). Before support: moves
-- in the 365 days before an episode opened in the period, per young person whose support started
-- in it. An episode's support ends on its closing date (its last "closed" event) only while it
-- is closed; one re-opened is open to the period's end.
WITH e AS (
  SELECT e.child_id, e.opened_on, e.status, x.closed_on,
         CASE WHEN e.status = 'closed' THEN x.closed_on ELSE %(end)s::date END AS support_ends
  FROM episodes_episode e
  JOIN people_child c ON c.id = e.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  LEFT JOIN LATERAL (SELECT max(v."on") AS closed_on FROM episodes_episodeevent v
                     WHERE v.episode_id = e.id AND v.kind = 'closed') x ON true
  WHERE e.opened_on <= %(end)s AND (e.status <> 'closed' OR x.closed_on >= %(start)s)
    AND o.region_id = %(region)s
),
m AS (
  -- The placements of the young people supported, numbered in the order they started.
  SELECT p.child_id, p.type, p.start_date,
         row_number() OVER (PARTITION BY p.child_id ORDER BY p.start_date, p.id) AS nth
  FROM people_placement p
  WHERE p.child_id IN (SELECT child_id FROM e)
),
mv AS (
  -- The moves that can count: not a first placement, and in the period or the year before it.
  SELECT m.child_id, m.type, m.start_date FROM m
  WHERE m.nth > 1 AND m.start_date BETWEEN %(start)s::date - 365 AND %(end)s
),
during AS (
  -- (EXISTS in WHERE: a semi-join on the young person, not a scan of e for every move.)
  SELECT mv.type, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age
  FROM mv
  JOIN people_child c ON c.id = mv.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE mv.start_date BETWEEN %(start)s AND %(end)s
    AND EXISTS (SELECT 1 FROM e WHERE e.child_id = mv.child_id AND e.opened_on <= mv.start_date
                AND (e.status <> 'closed' OR e.closed_on >= mv.start_date))
),
t AS (
  SELECT (SELECT count(*) FROM during) AS during,
         (SELECT count(*) FROM mv WHERE EXISTS (
            SELECT 1 FROM e WHERE e.child_id = mv.child_id AND e.opened_on BETWEEN %(start)s AND %(end)s
            AND e.opened_on - mv.start_date BETWEEN 1 AND 365)) AS before,
         sum(LEAST(e.support_ends, %(end)s::date) - GREATEST(e.opened_on, %(start)s::date) + 1) AS days,
         count(DISTINCT e.child_id) AS supported,
         count(DISTINCT e.child_id) FILTER (WHERE e.opened_on >= %(start)s) AS started
  FROM e
)
SELECT x.dimension, x.category, count(*)::numeric AS value
FROM during mv
CROSS JOIN LATERAL (VALUES
  ('type', mv.type),
  ('service', mv.service_id::text),
  ('region', mv.region_id::text),
  ('local_authority', COALESCE(mv.responsible_local_authority_id::text, '')),
  ('legal_status', mv.legal_status),
  ('language', mv.preferred_language),
  ('gender', mv.gender),
  ('ethnicity', mv.ethnicity),
  ('age_band', CASE WHEN mv.age BETWEEN 0 AND 4 THEN '0-4' WHEN mv.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN mv.age BETWEEN 11 AND 15 THEN '11-15' WHEN mv.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN mv.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.value
FROM t CROSS JOIN LATERAL (VALUES
  ('moves_during', t.during::numeric),
  ('during_per_young_person_year.value', CASE WHEN t.days <> 0 THEN t.during / (t.days / 365.25) END),
  ('during_per_young_person_year.people', t.supported),
  ('moves_before', t.before),
  ('before_per_young_person.value', CASE WHEN t.started > 0 THEN t.before::numeric / t.started END),
  ('before_per_young_person.people', t.started)
) AS f(code, value)
