-- Significant events in the year before support, for the region's young people whose support
-- started in the period (an episode opened on a day of it, as young_people_supported.sql counts
-- episodes). A young person is counted only when their recording periods together cover every
-- one of the 365 days before each such opening (an open-ended period runs to today, in
-- Europe/London); the others are "not_counted". Their events (not removed) in those 365 days, by
-- kind; headline: the events, the young people counted, those not counted and events per young
-- person-year (one year per young person counted).
WITH started AS (
  SELECT e.child_id, e.opened_on
  FROM episodes_episode e
  JOIN people_child c ON c.id = e.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  LEFT JOIN LATERAL (SELECT max(v."on") AS closed_on FROM episodes_episodeevent v
                     WHERE v.episode_id = e.id AND v.kind = 'closed') x ON true
  WHERE e.opened_on BETWEEN %(start)s AND %(end)s AND (e.status <> 'closed' OR x.closed_on >= %(start)s)
    AND o.region_id = %(region)s
),
rp AS (
  -- Their recording periods in order, each marked when it starts a new stretch (a gap of at
  -- least a day after everything before it).
  SELECT r.child_id, r.starts_on, r.ends,
         CASE WHEN r.starts_on <= max(r.ends) OVER (PARTITION BY r.child_id ORDER BY r.starts_on, r.ends
                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1
              THEN 0 ELSE 1 END AS new_stretch
  FROM (SELECT child_id, starts_on, COALESCE(ends_on, (now() AT TIME ZONE 'Europe/London')::date) AS ends
        FROM events_recordingperiod WHERE child_id IN (SELECT child_id FROM started)) r
),
stretch AS (
  -- The union of each young person's recording periods as stretches of consecutive days.
  SELECT child_id, min(starts_on) AS first_day, max(ends) AS last_day
  FROM (SELECT rp.*, sum(new_stretch) OVER (PARTITION BY child_id ORDER BY starts_on, ends
                                            ROWS UNBOUNDED PRECEDING) AS n
        FROM rp) s
  GROUP BY child_id, n
),
people AS (
  -- Complete when one stretch covers the year before each of their openings (stretches do not
  -- touch, so at most one can).
  SELECT s.child_id, bool_and(w.child_id IS NOT NULL) AS complete
  FROM started s
  LEFT JOIN stretch w ON w.child_id = s.child_id AND w.first_day <= s.opened_on - 365
                     AND w.last_day >= s.opened_on - 1
  GROUP BY s.child_id
),
ev AS (
  SELECT v.kind, count(*) AS n
  FROM events_significantevent v
  JOIN people p ON p.child_id = v.child_id AND p.complete
  WHERE v.removed_at IS NULL
    AND EXISTS (SELECT 1 FROM started s WHERE s.child_id = v.child_id
                AND s.opened_on - v.occurred_on BETWEEN 1 AND 365)
  GROUP BY v.kind
),
t AS (
  SELECT (SELECT COALESCE(sum(n), 0) FROM ev) AS events,
         count(*) FILTER (WHERE complete) AS counted, count(*) FILTER (WHERE NOT complete) AS not_counted
  FROM people
)
SELECT 'kind', ev.kind, ev.n::numeric FROM ev
UNION ALL
SELECT 'figure', f.code, f.value
FROM t CROSS JOIN LATERAL (VALUES
  ('events', t.events::numeric),
  ('young_people', t.counted),
  ('not_counted', t.not_counted),
  ('per_young_person_year.value', CASE WHEN t.counted > 0 THEN t.events::numeric / t.counted END),
  ('per_young_person_year.people', t.counted)
) AS f(code, value)
