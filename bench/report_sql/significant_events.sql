-- Significant events (not removed) in the period that happened while the young person's episode
-- was open, for the region's services, by kind; and the headline: the events, the young
-- person-years of support in the period (days of open support, both ends inclusive, ÷ 365.25,
-- to one decimal, over the young people supported) and events per young person-year.
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
ev AS (
  SELECT s.kind, count(*) AS n
  FROM events_significantevent s
  WHERE s.occurred_on BETWEEN %(start)s AND %(end)s AND s.removed_at IS NULL
    AND EXISTS (SELECT 1 FROM e WHERE e.child_id = s.child_id AND e.opened_on <= s.occurred_on
                AND (e.status <> 'closed' OR e.closed_on >= s.occurred_on))
  GROUP BY s.kind
),
support AS (
  -- A re-opened episode keeps its last "closed" event: only a closed one ends there.
  SELECT sum(LEAST(CASE WHEN e.status = 'closed' THEN e.closed_on ELSE %(end)s::date END, %(end)s::date)
             - GREATEST(e.opened_on, %(start)s::date) + 1) AS days,
         count(DISTINCT e.child_id) AS people
  FROM e
),
t AS (SELECT (SELECT COALESCE(sum(n), 0) FROM ev) AS events, COALESCE(s.days, 0) AS days, s.people FROM support s)
SELECT 'kind', ev.kind, ev.n::numeric FROM ev
UNION ALL
SELECT 'figure', f.code, f.value
FROM t CROSS JOIN LATERAL (VALUES
  ('events', t.events::numeric),
  ('young_person_years.value', round(t.days / 365.25, 1)),
  ('young_person_years.people', t.people::numeric),
  ('per_young_person_year.value', CASE WHEN t.days > 0 THEN t.events / (t.days / 365.25) END),
  ('per_young_person_year.people', t.people::numeric)
) AS f(code, value)
