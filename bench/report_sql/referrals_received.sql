-- Referrals received in the period (a day of it, in Europe/London), for one region: by route,
-- referrer type and the young person's dimensions. A referral carries its own service, local
-- authority, legal status, language and date of birth; gender and ethnicity are the linked
-- record's ('' where none is linked yet).
WITH r AS (
  SELECT r.route, r.referrer_type, r.service_id, o.region_id, r.responsible_local_authority_id,
         r.legal_status, r.preferred_language, c.gender, c.ethnicity,
         CASE WHEN r.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, r.date_of_birth)) END AS age
  FROM referrals_referral r
  JOIN accounts_organisation o ON o.id = r.service_id
  LEFT JOIN people_child c ON c.id = r.child_id
  WHERE (r.received_at AT TIME ZONE 'Europe/London')::date BETWEEN %(start)s AND %(end)s
    AND o.region_id = %(region)s
)
SELECT d.dimension, d.category, count(*) AS value
FROM r
CROSS JOIN LATERAL (VALUES
  ('route', r.route),
  ('referrer_type', r.referrer_type),
  ('service', r.service_id::text),
  ('region', r.region_id::text),
  ('local_authority', COALESCE(r.responsible_local_authority_id::text, '')),
  ('legal_status', r.legal_status),
  ('language', r.preferred_language),
  ('gender', COALESCE(r.gender, '')),
  ('ethnicity', COALESCE(r.ethnicity, '')),
  ('age_band', CASE WHEN r.age BETWEEN 0 AND 4 THEN '0-4' WHEN r.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN r.age BETWEEN 11 AND 15 THEN '11-15' WHEN r.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN r.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS d(dimension, category)
GROUP BY d.dimension, d.category
