-- Time on the allocation list for the region's referrals (days are calendar days between dates
-- in Europe/London): "allocated" – allocated on a day of the period, days from acceptance to
-- allocation; "waiting" – accepted by the period's last day, not allocated by then and not
-- decided otherwise since the acceptance (a later decision that is not an acceptance, made by
-- that day), days from acceptance to the last day. By band of days, by state and by the young
-- person's dimensions as the referral records them (gender and ethnicity from the linked
-- record); headline: the number, mean and median of each state.
WITH otherwise AS (
  -- Referrals decided otherwise after their acceptance, by the period's last day.
  SELECT DISTINCT d.referral_id
  FROM referrals_decision d
  JOIN referrals_referral r ON r.id = d.referral_id
  WHERE d.outcome <> 'accepted' AND d.decided_at > r.accepted_at
    AND (d.decided_at AT TIME ZONE 'Europe/London')::date <= %(end)s
),
r AS (
  SELECT r.service_id, o.region_id, r.responsible_local_authority_id, r.legal_status, r.preferred_language,
         c.gender, c.ethnicity,
         CASE WHEN r.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, r.date_of_birth)) END AS age,
         (r.accepted_at AT TIME ZONE 'Europe/London')::date AS accepted,
         (r.allocated_at AT TIME ZONE 'Europe/London')::date AS allocated, w.referral_id IS NULL AS still_accepted
  FROM referrals_referral r
  JOIN accounts_organisation o ON o.id = r.service_id
  LEFT JOIN people_child c ON c.id = r.child_id
  LEFT JOIN otherwise w ON w.referral_id = r.id
  WHERE r.accepted_at IS NOT NULL AND o.region_id = %(region)s
),
l AS (
  SELECT r.*,
         CASE WHEN r.allocated BETWEEN %(start)s AND %(end)s THEN 'allocated' ELSE 'waiting' END AS state,
         CASE WHEN r.allocated BETWEEN %(start)s AND %(end)s THEN r.allocated ELSE %(end)s::date END - r.accepted AS days
  FROM r
  WHERE r.allocated BETWEEN %(start)s AND %(end)s
     OR (r.accepted <= %(end)s AND (r.allocated IS NULL OR r.allocated > %(end)s) AND r.still_accepted)
),
f AS (
  SELECT s.state, count(l.state) AS n, avg(l.days) AS mean,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY l.days) AS median
  FROM (VALUES ('allocated'), ('waiting')) AS s(state)
  LEFT JOIN l ON l.state = s.state
  GROUP BY s.state
)
SELECT x.dimension, x.category, count(*)::numeric AS value
FROM l
CROSS JOIN LATERAL (VALUES
  ('band', CASE WHEN l.days BETWEEN 0 AND 7 THEN '0-7' WHEN l.days BETWEEN 8 AND 28 THEN '8-28'
                WHEN l.days BETWEEN 29 AND 91 THEN '29-91' WHEN l.days >= 92 THEN 'over-91' ELSE '' END),
  ('state', l.state),
  ('service', l.service_id::text),
  ('region', l.region_id::text),
  ('local_authority', COALESCE(l.responsible_local_authority_id::text, '')),
  ('legal_status', l.legal_status),
  ('language', l.preferred_language),
  ('gender', COALESCE(l.gender, '')),
  ('ethnicity', COALESCE(l.ethnicity, '')),
  ('age_band', CASE WHEN l.age BETWEEN 0 AND 4 THEN '0-4' WHEN l.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN l.age BETWEEN 11 AND 15 THEN '11-15' WHEN l.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN l.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', v.code, v.value
FROM f CROSS JOIN LATERAL (VALUES
  ('n_' || f.state, f.n::numeric),
  ('mean_' || f.state || '.value', f.mean), ('mean_' || f.state || '.people', f.n),
  ('median_' || f.state || '.value', f.median::numeric), ('median_' || f.state || '.people', f.n)
) AS v(code, value)
