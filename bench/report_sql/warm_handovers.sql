-- Warm handovers decided in the period (a day of it, in Europe/London) on the region's
-- referrals: by where to (the directory entry's id, '' where none was chosen) and by the young
-- person's dimensions as the referral records them (gender and ethnicity from the linked record).
-- A referral handed on twice counts each time.
WITH d AS (
  SELECT d.directory_service_id, r.service_id, o.region_id, r.responsible_local_authority_id,
         r.legal_status, r.preferred_language, c.gender, c.ethnicity,
         CASE WHEN r.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, r.date_of_birth)) END AS age
  FROM referrals_decision d
  JOIN referrals_referral r ON r.id = d.referral_id
  JOIN accounts_organisation o ON o.id = r.service_id
  LEFT JOIN people_child c ON c.id = r.child_id
  WHERE d.outcome = 'redirected'
    AND (d.decided_at AT TIME ZONE 'Europe/London')::date BETWEEN %(start)s AND %(end)s
    AND o.region_id = %(region)s
)
SELECT x.dimension, x.category, count(*) AS value
FROM d
CROSS JOIN LATERAL (VALUES
  ('directory_service', COALESCE(d.directory_service_id::text, '')),
  ('service', d.service_id::text),
  ('region', d.region_id::text),
  ('local_authority', COALESCE(d.responsible_local_authority_id::text, '')),
  ('legal_status', d.legal_status),
  ('language', d.preferred_language),
  ('gender', COALESCE(d.gender, '')),
  ('ethnicity', COALESCE(d.ethnicity, '')),
  ('age_band', CASE WHEN d.age BETWEEN 0 AND 4 THEN '0-4' WHEN d.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN d.age BETWEEN 11 AND 15 THEN '11-15' WHEN d.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN d.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
