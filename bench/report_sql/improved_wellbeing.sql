-- Improved wellbeing (CORC's category) of the region's young people supported in the period: each
-- once, with their latest episode opened by the period's last day, when that episode was open in
-- the period (not closed, or its "closed" event on or after the first day). Their results are
-- those at the episode's measurement points taken by the last day; question instruments (trusted
-- adult, finding help) are not wellbeing measures.
--
-- Per scored measure: first and latest result in (date, id) order; judged when there are two, both
-- have a score and the instrument has a reliable change threshold – Jacobson & Truax
-- 1.96 × SD × √2 × √(1 − r), or the published fixed threshold. A change of at most the threshold
-- is no reliable change; beyond it, the worse direction (the instrument's) is deterioration.
-- GBO: per goal, first and latest rating at points; the GBO threshold applies to the mean change
-- over the goals rated twice, or to each goal (per_goal: improvement on some goal and
-- deterioration on none is improvement, the reverse deterioration, anything else no change).
-- CORC across measures: improvement on one and deterioration on none; both is "mixed"; judged
-- but neither is no reliable change; measured but judged nowhere is "unpaired".
-- Breakdowns: category and the young person's dimensions; headline: each paired category's share
-- of the paired, unpaired, not measured, and the cohort's points not done (due by the last day)
-- by reason.
WITH latest AS (
  SELECT DISTINCT ON (e.child_id) e.id, e.child_id, e.status
  FROM episodes_episode e
  JOIN people_child c ON c.id = e.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE e.opened_on <= %(end)s AND o.region_id = %(region)s
  ORDER BY e.child_id, e.opened_on DESC, e.id DESC
),
cohort AS (
  SELECT l.id AS episode_id, c.service_id, o.region_id, c.responsible_local_authority_id, c.legal_status,
         c.preferred_language, c.gender, c.ethnicity,
         CASE WHEN c.date_of_birth <= %(end)s THEN date_part('year', age(%(end)s::date, c.date_of_birth)) END AS age
  FROM latest l
  JOIN people_child c ON c.id = l.child_id
  JOIN accounts_organisation o ON o.id = c.service_id
  WHERE l.status <> 'closed'
     OR EXISTS (SELECT 1 FROM episodes_episodeevent v
                WHERE v.episode_id = l.id AND v.kind = 'closed' AND v."on" >= %(start)s)
),
rule AS (
  SELECT i.id, i.code, i.rc_applies_to, CASE WHEN i.direction = 'lower_better' THEN -1 ELSE 1 END AS better_sign,
         CASE WHEN i.rc_method = 'sd_reliability' AND i.rc_sd <> 0 AND i.rc_reliability IS NOT NULL
                THEN 1.96 * i.rc_sd * sqrt(2::numeric) * sqrt(1 - i.rc_reliability)
              WHEN i.rc_method = 'fixed' THEN i.rc_threshold END AS threshold
  FROM outcomes_instrument i
),
measures AS (
  SELECT p.episode_id, m.instrument_id, count(*) AS results,
         (array_agg(m.score ORDER BY m.taken_on, m.id))[1] AS first,
         (array_agg(m.score ORDER BY m.taken_on DESC, m.id DESC))[1] AS latest
  FROM cohort ch
  JOIN outcomes_measurementpoint p ON p.episode_id = ch.episode_id
  JOIN outcomes_measurement m ON m.point_id = p.id
  JOIN outcomes_instrument i ON i.id = m.instrument_id
  WHERE m.taken_on <= %(end)s AND i.scoring <> 'question'
  GROUP BY p.episode_id, m.instrument_id
),
goals AS (
  SELECT p.episode_id, g.goal_id, count(*) AS ratings,
         (array_agg(g.value ORDER BY g.rated_on, g.id))[1] AS first,
         (array_agg(g.value ORDER BY g.rated_on DESC, g.id DESC))[1] AS latest
  FROM cohort ch
  JOIN outcomes_measurementpoint p ON p.episode_id = ch.episode_id
  JOIN outcomes_goalrating g ON g.point_id = p.id
  WHERE g.rated_on <= %(end)s
  GROUP BY p.episode_id, g.goal_id
),
-- One judgement per measure, and one for the GBO over the episode's goals (NULL: not judged).
judgements AS (
  SELECT ms.episode_id,
         CASE WHEN ms.results < 2 OR ms.first IS NULL OR ms.latest IS NULL OR r.threshold IS NULL THEN NULL
              WHEN abs(ms.latest - ms.first) <= r.threshold THEN 'same'
              WHEN r.better_sign * (ms.latest - ms.first) < 0 THEN 'worse'
              ELSE 'better' END AS judged
  FROM measures ms JOIN rule r ON r.id = ms.instrument_id
  UNION ALL
  SELECT gs.episode_id,
         CASE WHEN gs.threshold IS NULL OR gs.paired = 0 THEN NULL
              WHEN gs.rc_applies_to = 'per_goal' THEN
                CASE WHEN gs.goal_better AND NOT gs.goal_worse THEN 'better'
                     WHEN gs.goal_worse AND NOT gs.goal_better THEN 'worse'
                     ELSE 'same' END
              WHEN abs(gs.total) <= gs.threshold * gs.paired THEN 'same'  -- |mean| ≤ threshold
              WHEN gs.better_sign * gs.total < 0 THEN 'worse'
              ELSE 'better' END
  FROM (
    SELECT g.episode_id, r.threshold, r.rc_applies_to, r.better_sign,
           count(*) FILTER (WHERE g.ratings >= 2) AS paired,
           sum(g.latest - g.first) FILTER (WHERE g.ratings >= 2) AS total,
           COALESCE(bool_or(g.ratings >= 2 AND abs(g.latest - g.first) > r.threshold
                            AND r.better_sign * (g.latest - g.first) >= 0), false) AS goal_better,
           COALESCE(bool_or(g.ratings >= 2 AND abs(g.latest - g.first) > r.threshold
                            AND r.better_sign * (g.latest - g.first) < 0), false) AS goal_worse
    FROM goals g LEFT JOIN rule r ON r.code = 'gbo'
    GROUP BY g.episode_id, r.threshold, r.rc_applies_to, r.better_sign
  ) gs
),
y AS (
  SELECT ch.*,
         CASE WHEN j.better AND j.worse THEN 'mixed'
              WHEN j.better THEN 'reliable_improvement'
              WHEN j.worse THEN 'reliable_deterioration'
              WHEN j.judged THEN 'no_reliable_change'
              WHEN j.episode_id IS NOT NULL THEN 'unpaired'
              ELSE 'not_measured' END AS category
  FROM cohort ch
  LEFT JOIN (SELECT episode_id, bool_or(judged = 'better') AS better, bool_or(judged = 'worse') AS worse,
                    bool_or(judged IS NOT NULL) AS judged
             FROM judgements GROUP BY episode_id) j ON j.episode_id = ch.episode_id
),
totals AS (
  SELECT count(*) FILTER (WHERE category = 'reliable_improvement') AS reliable_improvement,
         count(*) FILTER (WHERE category = 'no_reliable_change') AS no_reliable_change,
         count(*) FILTER (WHERE category = 'reliable_deterioration') AS reliable_deterioration,
         count(*) FILTER (WHERE category = 'mixed') AS mixed,
         count(*) FILTER (WHERE category = 'unpaired') AS unpaired,
         count(*) FILTER (WHERE category = 'not_measured') AS not_measured
  FROM y
)
SELECT x.dimension, x.category, count(*) AS value
FROM y
CROSS JOIN LATERAL (VALUES
  ('category', y.category),
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
FROM (SELECT t.*, t.reliable_improvement + t.no_reliable_change + t.reliable_deterioration + t.mixed AS paired
      FROM totals t) t
CROSS JOIN LATERAL (VALUES
  ('reliable_improvement.numerator', t.reliable_improvement), ('reliable_improvement.denominator', t.paired),
  ('no_reliable_change.numerator', t.no_reliable_change), ('no_reliable_change.denominator', t.paired),
  ('reliable_deterioration.numerator', t.reliable_deterioration), ('reliable_deterioration.denominator', t.paired),
  ('mixed.numerator', t.mixed), ('mixed.denominator', t.paired),
  ('paired', t.paired), ('unpaired', t.unpaired), ('not_measured', t.not_measured)
) AS f(code, n)
UNION ALL
SELECT 'figure', 'not_done_' || reason.code, count(p.id)
FROM (VALUES ('declined'), ('not_right_time'), ('unable'), ('not_suitable')) AS reason(code)
LEFT JOIN (outcomes_measurementpoint p JOIN cohort ch ON ch.episode_id = p.episode_id)
  ON p.not_done_reason = reason.code AND p.status = 'not_done' AND p.due_on <= %(end)s
GROUP BY reason.code
