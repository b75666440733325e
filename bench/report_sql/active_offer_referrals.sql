-- The Welsh language Active Offer at referral: referrals received in the period (a day of it, in
-- Europe/London) by the region's services, by whether the offer was made, by route and by the
-- young person's dimensions as the referral records them (gender and ethnicity from the linked
-- record, '' where none is linked yet); headline: referrals received and the share with the
-- offer made.
WITH r AS (
  SELECT r.active_offer_made, r.route, r.service_id, o.region_id, r.responsible_local_authority_id,
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
  ('offer', CASE WHEN r.active_offer_made THEN 'made' ELSE 'not_made' END),
  ('route', r.route),
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
UNION ALL
SELECT 'figure', f.code, f.n
FROM (SELECT count(*) AS received, count(*) FILTER (WHERE active_offer_made) AS made FROM r) t
CROSS JOIN LATERAL (VALUES
  ('received', t.received), ('offer_made.numerator', t.made), ('offer_made.denominator', t.received)
) AS f(code, n)
