"""The starting framework Nyth ships: **Nyth's reading** of the NEST/NYTH principles (Nurturing,
Empowering, Safe, Trusted – Mental Health and Wellbeing Strategy 2025–2035) and of the National
Practice Guidance's components (trusted adults, long-term support, transitions, out of hours, the
child's voice, Welsh language, outcomes). The official self-assessment tool's domains and levels
are not published in a form we could verify: this is a starting point for the service to replace
with its own (``manage.py load_selfassess_framework FILE.json``, same shape as ``STARTING``).

Kept as plain data so the data migration and the loader read the same thing. Welsh wording is
Nyth's draft (terms marked VERIFY in docs/welsh-glossary-additions.md)."""

from __future__ import annotations

from typing import Any

STARTING: dict[str, Any] = {
    "code": "nyth-reading",
    "is_nyth_reading": True,
    "version": "2026.1",
    "name_en": "NEST/NYTH self-assessment – Nyth's reading",
    "name_cy": "Hunanasesiad NYTH – dehongliad Nyth",
    "description_en": (
        "Nyth's own reading of the NEST/NYTH principles (Nurturing, Empowering, Safe, Trusted) and of the "
        "National Practice Guidance's components. It is not the official self-assessment tool, whose domains "
        "and levels we could not verify: replace it with your own framework."
    ),
    "description_cy": (
        "Dehongliad Nyth ei hun o egwyddorion NYTH (Meithrin, Grymuso, Diogel, Ymddiried) ac o gydrannau'r "
        "Canllawiau Ymarfer Cenedlaethol. Nid dyma'r offeryn hunanasesu swyddogol, nad oeddem yn gallu gwirio "
        "ei feysydd a'i lefelau: rhowch eich fframwaith eich hun yn ei le."
    ),
    "levels": [
        {
            "value": 1,
            "name_en": "Starting",
            "name_cy": "Dechrau",
            "description_en": "Not yet in place, or only in plans.",
            "description_cy": "Nid yw ar waith eto, neu dim ond mewn cynlluniau.",
        },
        {
            "value": 2,
            "name_en": "Developing",
            "name_cy": "Datblygu",
            "description_en": "In place for some young people or some of the time.",
            "description_cy": "Ar waith i rai pobl ifanc neu am ran o'r amser.",
        },
        {
            "value": 3,
            "name_en": "Established",
            "name_cy": "Wedi'i sefydlu",
            "description_en": "In place for most young people, most of the time, and checked.",
            "description_cy": "Ar waith i'r rhan fwyaf o bobl ifanc, y rhan fwyaf o'r amser, ac yn cael ei wirio.",
        },
        {
            "value": 4,
            "name_en": "Embedded",
            "name_cy": "Wedi'i wreiddio",
            "description_en": "How the service always works, reviewed with young people and partners.",
            "description_cy": "Y ffordd y mae'r gwasanaeth bob amser yn gweithio, wedi'i adolygu gyda phobl ifanc a phartneriaid.",
        },
    ],
    "domains": [
        {
            "code": "nurturing",
            "name_en": "Nurturing: trusted adults and relationships",
            "name_cy": "Meithrin: oedolion yr ymddiriedir ynddynt a pherthnasoedd",
            "description_en": "Relationships with consistent, trusted adults are at the centre of the support.",
            "description_cy": "Mae perthnasoedd gydag oedolion cyson yr ymddiriedir ynddynt wrth wraidd y cymorth.",
            "statements": [
                {
                    "code": "trusted-adult",
                    "text_en": "Every young person we support has at least one trusted adult they can name.",
                    "text_cy": "Mae gan bob person ifanc rydym yn ei gefnogi o leiaf un oedolyn yr ymddiriedir ynddo y gall ei enwi.",
                },
                {
                    "code": "carers-supported",
                    "text_en": "Carers and the adults around the young person are trained and supported to give joined-up care.",
                    "text_cy": "Mae gofalwyr a'r oedolion o amgylch y person ifanc yn cael eu hyfforddi a'u cefnogi i roi gofal cydgysylltiedig.",
                },
            ],
        },
        {
            "code": "empowering",
            "name_en": "Empowering: the child's voice and choice",
            "name_cy": "Grymuso: llais a dewis y plentyn",
            "description_en": "Young people choose their support and shape their plans and the service.",
            "description_cy": "Mae pobl ifanc yn dewis eu cymorth ac yn llunio eu cynlluniau a'r gwasanaeth.",
            "statements": [
                {
                    "code": "co-produced-plans",
                    "text_en": "Young people are offered choices and co-produce their plans, in their own words.",
                    "text_cy": "Mae pobl ifanc yn cael cynnig dewisiadau ac yn cydgynhyrchu eu cynlluniau, yn eu geiriau eu hunain.",
                },
                {
                    "code": "voice-shapes-service",
                    "text_en": "What young people and carers tell us changes how the service works.",
                    "text_cy": "Mae'r hyn y mae pobl ifanc a gofalwyr yn ei ddweud wrthym yn newid sut mae'r gwasanaeth yn gweithio.",
                },
            ],
        },
        {
            "code": "safe",
            "name_en": "Safe: out of hours and in a crisis",
            "name_cy": "Diogel: y tu allan i oriau ac mewn argyfwng",
            "description_en": "Help is there when it is needed, including out of hours.",
            "description_cy": "Mae help ar gael pan fydd ei angen, gan gynnwys y tu allan i oriau.",
            "statements": [
                {
                    "code": "out-of-hours",
                    "text_en": "Young people and carers know how to get help out of hours, and it answers.",
                    "text_cy": "Mae pobl ifanc a gofalwyr yn gwybod sut i gael help y tu allan i oriau, ac mae'n ateb.",
                },
                {
                    "code": "safety-plans",
                    "text_en": "Young people at risk have a safety plan that they helped to write and that is kept up to date.",
                    "text_cy": "Mae gan bobl ifanc sydd mewn perygl gynllun diogelwch y gwnaethant helpu i'w ysgrifennu ac sy'n cael ei gadw'n gyfredol.",
                },
            ],
        },
        {
            "code": "trusted",
            "name_en": "Trusted: a consistent, well-supported workforce",
            "name_cy": "Ymddiried: gweithlu cyson sy'n cael ei gefnogi'n dda",
            "description_en": "Staff are consistent, trained, supervised and work to shared protocols with partners.",
            "description_cy": "Mae staff yn gyson, wedi'u hyfforddi, yn cael goruchwyliaeth ac yn gweithio i brotocolau a rennir gyda phartneriaid.",
            "statements": [
                {
                    "code": "workforce",
                    "text_en": "Staff are trained to the right trauma-informed practice level and supervised regularly.",
                    "text_cy": "Mae staff wedi'u hyfforddi i'r lefel ymarfer gywir sy'n ystyriol o drawma ac yn cael goruchwyliaeth yn rheolaidd.",
                },
                {
                    "code": "joint-protocols",
                    "text_en": "Information is shared with partners by agreed protocols, with the young person's consent.",
                    "text_cy": "Caiff gwybodaeth ei rhannu â phartneriaid drwy brotocolau y cytunwyd arnynt, gyda chydsyniad y person ifanc.",
                },
            ],
        },
        {
            "code": "long-term-transitions",
            "name_en": "Long-term support and transitions",
            "name_cy": "Cymorth tymor hir a phontio",
            "description_en": "Support lasts as long as it is needed and continues through moves and into adulthood.",
            "description_cy": "Mae cymorth yn para cyhyd ag y mae ei angen ac yn parhau drwy symudiadau ac i fod yn oedolyn.",
            "statements": [
                {
                    "code": "long-term",
                    "text_en": "Support is flexible and long-term, ending only when the young person is ready.",
                    "text_cy": "Mae cymorth yn hyblyg ac yn dymor hir, gan ddod i ben dim ond pan fydd y person ifanc yn barod.",
                },
                {
                    "code": "transitions",
                    "text_en": "Moves of placement, school, worker and into adult services are planned with the young person.",
                    "text_cy": "Caiff symudiadau lleoliad, ysgol, gweithiwr ac i wasanaethau oedolion eu cynllunio gyda'r person ifanc.",
                },
            ],
        },
        {
            "code": "welsh-language",
            "name_en": "Welsh language",
            "name_cy": "Y Gymraeg",
            "description_en": "The Active Offer: support in Welsh without having to ask.",
            "description_cy": "Y Cynnig Rhagweithiol: cymorth yn Gymraeg heb orfod gofyn.",
            "statements": [
                {
                    "code": "active-offer",
                    "text_en": "Every young person and carer is offered the service in Welsh, and the answer is recorded.",
                    "text_cy": "Caiff pob person ifanc a gofalwr gynnig y gwasanaeth yn Gymraeg, a chaiff yr ateb ei gofnodi.",
                },
                {
                    "code": "welsh-delivery",
                    "text_en": "Support asked for in Welsh is delivered in Welsh.",
                    "text_cy": "Caiff cymorth y gofynnir amdano yn Gymraeg ei ddarparu yn Gymraeg.",
                },
            ],
        },
        {
            "code": "outcomes",
            "name_en": "Outcomes and learning",
            "name_cy": "Canlyniadau a dysgu",
            "description_en": "The service knows whether young people are better off and learns from it.",
            "description_cy": "Mae'r gwasanaeth yn gwybod a yw pobl ifanc yn well eu byd ac yn dysgu o hynny.",
            "statements": [
                {
                    "code": "outcome-measures",
                    "text_en": "A standardised outcome measure is used at the start, at reviews and at the end of support.",
                    "text_cy": "Defnyddir mesur canlyniadau safonol ar y dechrau, mewn adolygiadau ac ar ddiwedd y cymorth.",
                },
                {
                    "code": "learning",
                    "text_en": "Outcomes and feedback are reviewed with partners and lead to changes.",
                    "text_cy": "Caiff canlyniadau ac adborth eu hadolygu gyda phartneriaid ac maent yn arwain at newidiadau.",
                },
            ],
        },
    ],
}
