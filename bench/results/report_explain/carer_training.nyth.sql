-- carer_training: the 3 queries Nyth sent for 2026Q2, region id 1

-- query 1
SELECT "people_nesttraining"."topic" AS "topic", COUNT("people_nesttraining"."id") AS "n" FROM "people_nesttraining" INNER JOIN "people_relatedperson" ON ("people_nesttraining"."related_person_id" = "people_relatedperson"."id") INNER JOIN "people_child" ON ("people_relatedperson"."child_id" = "people_child"."id") INNER JOIN "accounts_organisation" ON ("people_child"."service_id" = "accounts_organisation"."id") WHERE ("people_nesttraining"."given_on" >= '2026-07-01'::date AND "people_nesttraining"."given_on" <= '2026-09-30'::date AND "accounts_organisation"."region_id" = 1) GROUP BY 1;

-- query 2
SELECT "people_nesttraining"."practice_level" AS "practice_level", COUNT("people_nesttraining"."id") AS "n" FROM "people_nesttraining" INNER JOIN "people_relatedperson" ON ("people_nesttraining"."related_person_id" = "people_relatedperson"."id") INNER JOIN "people_child" ON ("people_relatedperson"."child_id" = "people_child"."id") INNER JOIN "accounts_organisation" ON ("people_child"."service_id" = "accounts_organisation"."id") WHERE ("people_nesttraining"."given_on" >= '2026-07-01'::date AND "people_nesttraining"."given_on" <= '2026-09-30'::date AND "accounts_organisation"."region_id" = 1) GROUP BY 1;

-- query 3
SELECT COUNT("people_nesttraining"."id") AS "sessions", COUNT(DISTINCT "people_nesttraining"."related_person_id") AS "people" FROM "people_nesttraining" INNER JOIN "people_relatedperson" ON ("people_nesttraining"."related_person_id" = "people_relatedperson"."id") INNER JOIN "people_child" ON ("people_relatedperson"."child_id" = "people_child"."id") INNER JOIN "accounts_organisation" ON ("people_child"."service_id" = "accounts_organisation"."id") WHERE ("people_nesttraining"."given_on" >= '2026-07-01'::date AND "people_nesttraining"."given_on" <= '2026-09-30'::date AND "accounts_organisation"."region_id" = 1);
