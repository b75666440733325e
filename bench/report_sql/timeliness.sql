-- Days from referral to support for the region's referrals, each stage counted when its later
-- event fell on a day of the period (days are calendar days between the two dates in
-- Europe/London): received → first decision (a referral decided twice counts once, at its first
-- decision); that decision → the initial consultation (held_on); received → first therapeutic
-- session. Breakdown: referrals first decided in the period, by band of days to the decision and
-- by the young person's dimensions as the referral records them (gender and ethnicity from the
-- linked record). Headline: the number, mean and median (percentile_cont) of each stage.
WITH r AS (
  SELECT (r.received_at AT TIME ZONE 'Europe/London')::date AS received, f.decided, ic.held_on,
         (r.first_session_at AT TIME ZONE 'Europe/London')::date AS first_session,
         r.service_id, o.region_id, r.responsible_local_authority_id, r.legal_status, r.preferred_language,
         c.gender, c.ethnicity,
         CASE WHEN r.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, r.date_of_birth)) END AS age
  FROM referrals_referral r
  JOIN accounts_organisation o ON o.id = r.service_id
  LEFT JOIN people_child c ON c.id = r.child_id
  LEFT JOIN LATERAL (SELECT min((d.decided_at AT TIME ZONE 'Europe/London')::date) AS decided
                     FROM referrals_decision d WHERE d.referral_id = r.id) f ON true
  LEFT JOIN referrals_initialconsultation ic ON ic.referral_id = r.id
  WHERE o.region_id = %(region)s
),
s AS (
  -- Each stage's days, NULL where the referral did not reach that stage in the period.
  SELECT r.*,
         CASE WHEN r.decided BETWEEN %(start)s AND %(end)s THEN r.decided - r.received END AS decision,
         CASE WHEN r.held_on BETWEEN %(start)s AND %(end)s THEN r.held_on - r.decided END AS consultation,
         CASE WHEN r.first_session BETWEEN %(start)s AND %(end)s THEN r.first_session - r.received END AS first_session_days
  FROM r
  WHERE r.decided BETWEEN %(start)s AND %(end)s OR r.held_on BETWEEN %(start)s AND %(end)s
     OR r.first_session BETWEEN %(start)s AND %(end)s
),
f AS (
  SELECT count(decision) AS n_d, avg(decision) AS mean_d,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY decision) AS median_d,
         count(consultation) AS n_c, avg(consultation) AS mean_c,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY consultation) AS median_c,
         count(first_session_days) AS n_s, avg(first_session_days) AS mean_s,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY first_session_days) AS median_s
  FROM s
)
SELECT x.dimension, x.category, count(*)::numeric AS value
FROM s
CROSS JOIN LATERAL (VALUES
  ('band', CASE WHEN s.decision BETWEEN 0 AND 7 THEN '0-7' WHEN s.decision BETWEEN 8 AND 28 THEN '8-28'
                WHEN s.decision BETWEEN 29 AND 91 THEN '29-91' WHEN s.decision >= 92 THEN 'over-91' ELSE '' END),
  ('service', s.service_id::text),
  ('region', s.region_id::text),
  ('local_authority', COALESCE(s.responsible_local_authority_id::text, '')),
  ('legal_status', s.legal_status),
  ('language', s.preferred_language),
  ('gender', COALESCE(s.gender, '')),
  ('ethnicity', COALESCE(s.ethnicity, '')),
  ('age_band', CASE WHEN s.age BETWEEN 0 AND 4 THEN '0-4' WHEN s.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN s.age BETWEEN 11 AND 15 THEN '11-15' WHEN s.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN s.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
WHERE s.decision IS NOT NULL
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', v.code, v.value
FROM f CROSS JOIN LATERAL (VALUES
  ('n_decision', f.n_d::numeric), ('mean_decision.value', f.mean_d), ('mean_decision.people', f.n_d),
  ('median_decision.value', f.median_d::numeric), ('median_decision.people', f.n_d),
  ('n_consultation', f.n_c), ('mean_consultation.value', f.mean_c), ('mean_consultation.people', f.n_c),
  ('median_consultation.value', f.median_c::numeric), ('median_consultation.people', f.n_c),
  ('n_first_session', f.n_s), ('mean_first_session.value', f.mean_s), ('mean_first_session.people', f.n_s),
  ('median_first_session.value', f.median_s::numeric), ('median_first_session.people', f.n_s)
) AS v(code, value)
