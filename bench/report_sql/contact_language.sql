-- The language of contacts: contacts of every kind that took place (attended) in the period (a
-- day of it, in Europe/London) with young people of the region's services, by the language they
-- were held in and by the young person's dimensions; headline: the contacts and the share held
-- in Welsh or both languages.
WITH k AS (
  SELECT k.language, c.service_id, o.region_id, c.responsible_local_authority_id,
         c.legal_status, c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age
  FROM contacts_contact k
  JOIN people_child c ON c.id = k.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE (k.starts_at AT TIME ZONE 'Europe/London')::date BETWEEN %(start)s AND %(end)s
    AND k.attendance = 'attended'
    AND o.region_id = %(region)s
)
SELECT x.dimension, x.category, count(*) AS value
FROM k
CROSS JOIN LATERAL (VALUES
  ('contact_language', k.language),
  ('service', k.service_id::text),
  ('region', k.region_id::text),
  ('local_authority', COALESCE(k.responsible_local_authority_id::text, '')),
  ('legal_status', k.legal_status),
  ('language', k.preferred_language),
  ('gender', k.gender),
  ('ethnicity', k.ethnicity),
  ('age_band', CASE WHEN k.age BETWEEN 0 AND 4 THEN '0-4' WHEN k.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN k.age BETWEEN 11 AND 15 THEN '11-15' WHEN k.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN k.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.n
FROM (SELECT count(*) AS contacts, count(*) FILTER (WHERE language IN ('cy', 'bilingual')) AS welsh FROM k) t
CROSS JOIN LATERAL (VALUES
  ('contacts', t.contacts), ('in_welsh.numerator', t.welsh), ('in_welsh.denominator', t.contacts)
) AS f(code, n)
