-- The Welsh language Active Offer to the region's young people supported in the period (an
-- episode opened by its last day and not closed – its last "closed" event – before its first),
-- each once: by their answer as it stood at the period's end (an answer dated after it, or none,
-- is "not_made"; an answer recorded without a date counts) and by their dimensions; headline: the
-- people supported, the share to whom the offer was made, and of those the share who chose Welsh
-- or both languages.
WITH y AS (
  SELECT c.id, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age,
         CASE WHEN c.active_offer IN ('welsh', 'english', 'both', 'no_answer')
                   AND (c.active_offer_date IS NULL OR c.active_offer_date <= %(end)s)
              THEN c.active_offer ELSE 'not_made' END AS offer
  FROM people_child c
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE o.region_id = %(region)s
    AND EXISTS (SELECT 1 FROM episodes_episode e
                WHERE e.child_id = c.id AND e.opened_on <= %(end)s
                  AND (e.status <> 'closed'
                       OR EXISTS (SELECT 1 FROM episodes_episodeevent v
                                  WHERE v.episode_id = e.id AND v.kind = 'closed' AND v."on" >= %(start)s)))
)
SELECT x.dimension, x.category, count(*) AS value
FROM y
CROSS JOIN LATERAL (VALUES
  ('offer', y.offer),
  ('service', y.service_id::text),
  ('region', y.region_id::text),
  ('local_authority', COALESCE(y.responsible_local_authority_id::text, '')),
  ('legal_status', y.legal_status),
  ('language', y.preferred_language),
  ('gender', y.gender),
  ('ethnicity', y.ethnicity),
  ('age_band', CASE WHEN y.age BETWEEN 0 AND 4 THEN '0-4' WHEN y.age BETWEEN 5 AND 10 THEN '5-10'
                    WHEN y.age BETWEEN 11 AND 15 THEN '11-15' WHEN y.age BETWEEN 16 AND 17 THEN '16-17'
                    WHEN y.age BETWEEN 18 AND 25 THEN '18-25' ELSE 'other' END)
) AS x(dimension, category)
GROUP BY x.dimension, x.category
UNION ALL
SELECT 'figure', f.code, f.n
FROM (SELECT count(*) AS supported, count(*) FILTER (WHERE offer <> 'not_made') AS made,
             count(*) FILTER (WHERE offer IN ('welsh', 'both')) AS welsh
      FROM y) t
CROSS JOIN LATERAL (VALUES
  ('supported', t.supported),
  ('offer_made.numerator', t.made), ('offer_made.denominator', t.supported),
  ('chose_welsh.numerator', t.welsh), ('chose_welsh.denominator', t.made)
) AS f(code, n)
