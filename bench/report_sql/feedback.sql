-- Feedback on the support: the answers, named and anonymous together, to the region's services
-- (only the service and region filters apply: anonymous feedback has no young person), given in
-- the calendar quarters ("2026-Q3", as feedback is stored) lying wholly inside the period. By
-- respondent; headline: the answers and, for each of the five statements, the answers yes /
-- sort of / no / not answered (blank), zeros included.
WITH quarters AS (
  SELECT to_char(q, 'YYYY-"Q"Q') AS quarter
  FROM generate_series(date_trunc('quarter', %(start)s::timestamp), %(end)s::timestamp, interval '3 months') AS q
  WHERE q::date >= %(start)s AND (q + interval '3 months')::date - 1 <= %(end)s
),
f AS (
  SELECT n.respondent, n.listened, n.could_choose, n.knew_contact, n.good_time, n.would_recommend
  FROM outcomes_namedfeedback n JOIN accounts_organisation o ON o.id = n.service_id
  WHERE o.region_id = %(region)s AND n.quarter IN (SELECT quarter FROM quarters)
  UNION ALL
  SELECT a.respondent, a.listened, a.could_choose, a.knew_contact, a.good_time, a.would_recommend
  FROM outcomes_anonymousfeedback a JOIN accounts_organisation o ON o.id = a.service_id
  WHERE o.region_id = %(region)s AND a.quarter IN (SELECT quarter FROM quarters)
),
answers AS (
  SELECT s.statement, CASE WHEN s.answer = '' THEN 'not_answered' ELSE s.answer END AS answer, count(*) AS n
  FROM f
  CROSS JOIN LATERAL (VALUES ('listened', f.listened), ('could_choose', f.could_choose),
                             ('knew_contact', f.knew_contact), ('good_time', f.good_time),
                             ('would_recommend', f.would_recommend)) AS s(statement, answer)
  GROUP BY 1, 2
)
SELECT 'respondent', f.respondent, count(*) FROM f GROUP BY f.respondent
UNION ALL
SELECT 'figure', 'answers', count(*) FROM f
UNION ALL
SELECT 'figure', s.statement || '_' || a.answer, COALESCE(n.n, 0)
FROM (VALUES ('listened'), ('could_choose'), ('knew_contact'), ('good_time'), ('would_recommend')) AS s(statement)
CROSS JOIN (VALUES ('yes'), ('sort_of'), ('no'), ('not_answered')) AS a(answer)
LEFT JOIN answers n ON n.statement = s.statement AND n.answer = a.answer
