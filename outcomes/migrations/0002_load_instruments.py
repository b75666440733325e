"""Reference data: the outcome measures Nyth offers. No licensed item wording is shipped: the
wording of SWEMWBS and WEMWBS is loaded by a licence holder (``load_instrument_wording``), and
SDQ, RCADS, YP-CORE and CORS are entered as scores only. Parameters marked VERIFY must be checked
against their source by the service before figures are published (docs/outcomes.md)."""

from django.db import migrations

WARWICK_LICENCE_EN = (
    "Copyright University of Warwick. Use needs registration with the University (a paid licence for "
    "commercial use). Nyth does not include the item wording: a licence holder loads the English and "
    "official Welsh wording (manage.py load_instrument_wording)."
)
WARWICK_LICENCE_CY = (
    "Hawlfraint Prifysgol Warwick. Rhaid cofrestru gyda'r Brifysgol i'w defnyddio (trwydded â thâl at "
    "ddefnydd masnachol). Nid yw Nyth yn cynnwys geiriad yr eitemau: mae deiliad trwydded yn llwytho'r "
    "geiriad Saesneg a'r geiriad Cymraeg swyddogol (manage.py load_instrument_wording)."
)
SCORES_ONLY_EN = (
    "Licensed measure: Nyth holds no item text and no electronic version of the form. Complete the "
    "licensed form as its owner allows and enter the scores here."
)
SCORES_ONLY_CY = (
    "Mesur trwyddedig: nid yw Nyth yn cadw testun yr eitemau na fersiwn electronig o'r ffurflen. "
    "Llenwch y ffurflen drwyddedig fel y mae ei pherchennog yn caniatáu a rhowch y sgoriau yma."
)
OURS_EN = "Nyth's own wording of the questions in the guidance: free to use."
OURS_CY = "Geiriad Nyth ei hun o'r cwestiynau yn y canllawiau: am ddim i'w ddefnyddio."

INSTRUMENTS = [
    {
        "code": "swemwbs",
        "name_en": "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
        "name_cy": "Graddfa Fer Warwick-Caeredin ar gyfer Llesiant Meddyliol (SWEMWBS)",
        "source": "Stewart-Brown S et al. Internal construct validity of the Warwick-Edinburgh Mental "
        "Well-being Scale (WEMWBS): a Rasch analysis. Health Qual Life Outcomes 2009;7:15. "
        "Raw-to-metric table: University of Warwick, warwick.ac.uk/wemwbs.",
        "licence_note_en": WARWICK_LICENCE_EN,
        "licence_note_cy": WARWICK_LICENCE_CY,
        "licensed_wording": True,
        "scoring": "swemwbs_metric",
        "items": 7, "response_min": 1, "response_max": 5, "score_min": "7.00", "score_max": "35.00",
        "direction": "higher_better",
        "rc_method": "sd_reliability", "rc_sd": "3.920", "rc_reliability": "0.880", "rc_scale": "metric",
        "rc_population": "VERIFY: example parameters from Nyth's domain notes; the service must confirm "
        "the reference population (SD and reliability) from its cited source before use.",
        "rc_citation": "Jacobson NS, Truax P. J Consult Clin Psychol 1991;59(1):12-19 (method). "
        "Parameters: Nyth domain notes (SD 3.92, r 0.88, threshold about 3.76 metric points): VERIFY.",
        "age_min": 11, "age_max": None,
        "age_citation": "VERIFY: University of Warwick SWEMWBS user guide (validated with young people "
        "aged 11 and over in school surveys); configurable by the service.",
        "order": 10,
    },
    {
        "code": "wemwbs",
        "name_en": "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)",
        "name_cy": "Graddfa Warwick-Caeredin ar gyfer Llesiant Meddyliol (WEMWBS)",
        "source": "Tennant R et al. The Warwick-Edinburgh Mental Well-being Scale (WEMWBS): development "
        "and UK validation. Health Qual Life Outcomes 2007;5:63.",
        "licence_note_en": WARWICK_LICENCE_EN,
        "licence_note_cy": WARWICK_LICENCE_CY,
        "licensed_wording": True,
        "scoring": "raw_sum",
        "items": 14, "response_min": 1, "response_max": 5, "score_min": "14.00", "score_max": "70.00",
        "direction": "higher_better",
        "rc_method": "none", "rc_scale": "raw",
        "rc_population": "", "rc_citation": "Not configured: the service sets SD and reliability from a cited source.",
        "age_min": 13, "age_max": None,
        "age_citation": "Clarke A et al. Warwick-Edinburgh Mental Well-being Scale (WEMWBS): validated "
        "for teenage school students in England and Scotland. BMC Public Health 2011;11:487 (ages 13-16): VERIFY.",
        "order": 20,
    },
    {
        "code": "gbo",
        "name_en": "Goal Based Outcomes (GBO)",
        "name_cy": "Canlyniadau ar Sail Nodau (GBO)",
        "source": "Law D, Jacob J. Goals and Goal Based Outcomes (GBOs): some useful information. "
        "CAMHS Press, 3rd edition 2015.",
        "licence_note_en": "The idea and the 0 to 10 scale are free to use; the GBO guidance text is "
        "CC BY-NC-SA and is not copied into Nyth. The goals are the plan's goals, in the young person's words.",
        "licence_note_cy": "Mae'r syniad a'r raddfa 0 i 10 am ddim i'w defnyddio; mae testun canllawiau GBO "
        "dan CC BY-NC-SA ac nid yw wedi'i gopïo i Nyth. Nodau'r cynllun yw'r nodau, yng ngeiriau'r person ifanc.",
        "licensed_wording": False,
        "scoring": "goal_based",
        "items": 3, "response_min": 0, "response_max": 10, "score_min": "0.00", "score_max": "10.00",
        "direction": "higher_better",
        "rc_method": "fixed", "rc_threshold": "2.450", "rc_scale": "raw", "rc_applies_to": "mean",
        "rc_population": "VERIFY: children and young people in UK CAMHS (CORC data).",
        "rc_citation": "Edbrooke-Childs J et al. Interpreting standardized and idiographic outcome measures "
        "in CAMHS. Child Adolesc Ment Health 2015;20(3):142-148: VERIFY the value and whether it "
        "applies per goal or to the mean.",
        "age_min": None, "age_max": None,
        "age_citation": "No age limit: younger children's goals may be rated by a carer (Law and Jacob 2015).",
        "order": 30,
    },
    {
        "code": "trusted_adult",
        "name_en": "A good relationship with a trusted adult",
        "name_cy": "Perthynas dda ag oedolyn yr ymddiriedir ynddo",
        "source": "Welsh Government guidance on the NEST/NYTH framework: outcomes and performance measures.",
        "licence_note_en": OURS_EN, "licence_note_cy": OURS_CY,
        "licensed_wording": False,
        "scoring": "question",
        "items": 1, "response_min": 0, "response_max": 2,
        "direction": "higher_better",
        "rc_method": "none",
        "age_min": None, "age_max": None,
        "age_citation": "Asked of every young person at the start and at reviews (the guidance).",
        "order": 40,
    },
    {
        "code": "knows_help",
        "name_en": "Knows where to go for help, and feels able to ask",
        "name_cy": "Gwybod ble i fynd am help, a theimlo'n gallu gofyn",
        "source": "Welsh Government guidance on the NEST/NYTH framework: outcomes and performance measures.",
        "licence_note_en": OURS_EN, "licence_note_cy": OURS_CY,
        "licensed_wording": False,
        "scoring": "question",
        "items": 1, "response_min": 0, "response_max": 2,
        "direction": "higher_better",
        "rc_method": "none",
        "age_min": None, "age_max": None,
        "age_citation": "Asked of every young person at the start and at reviews (the guidance).",
        "order": 50,
    },
    {
        "code": "sdq",
        "name_en": "Strengths and Difficulties Questionnaire (SDQ): total difficulties",
        "name_cy": "Holiadur Cryfderau ac Anawsterau (SDQ): cyfanswm anawsterau",
        "source": "Goodman R. The Strengths and Difficulties Questionnaire: a research note. "
        "J Child Psychol Psychiatry 1997;38(5):581-586. sdqinfo.org.",
        "licence_note_en": SCORES_ONLY_EN + " The SDQ's owner forbids unlicensed electronic versions.",
        "licence_note_cy": SCORES_ONLY_CY + " Mae perchennog yr SDQ yn gwahardd fersiynau electronig heb drwydded.",
        "licensed_wording": False,
        "scoring": "scores_only",
        "score_min": "0.00", "score_max": "40.00",
        "subscales": [
            {"code": "emotional", "name_en": "Emotional symptoms", "name_cy": "Symptomau emosiynol", "min": 0, "max": 10},
            {"code": "conduct", "name_en": "Conduct problems", "name_cy": "Problemau ymddygiad", "min": 0, "max": 10},
            {"code": "hyperactivity", "name_en": "Hyperactivity", "name_cy": "Gorfywiogrwydd", "min": 0, "max": 10},
            {"code": "peer", "name_en": "Peer problems", "name_cy": "Problemau gyda chyfoedion", "min": 0, "max": 10},
            {"code": "prosocial", "name_en": "Prosocial", "name_cy": "Prosocial", "min": 0, "max": 10},
        ],
        "direction": "lower_better",
        "rc_method": "none",
        "age_min": 2, "age_max": 17,
        "age_citation": "sdqinfo.org: parent and teacher versions for ages 2-17, self-report 11-17.",
        "order": 60,
    },
    {
        "code": "rcads",
        "name_en": "Revised Child Anxiety and Depression Scale (RCADS): total",
        "name_cy": "Graddfa Ddiwygiedig Gorbryder ac Iselder Plant (RCADS): cyfanswm",
        "source": "Chorpita BF et al. Assessment of symptoms of DSM-IV anxiety and depression in "
        "children: a revised child anxiety and depression scale. Behav Res Ther 2000;38(8):835-855.",
        "licence_note_en": SCORES_ONLY_EN, "licence_note_cy": SCORES_ONLY_CY,
        "licensed_wording": False,
        "scoring": "scores_only",
        "score_min": "0.00", "score_max": "141.00",
        "direction": "lower_better",
        "rc_method": "none",
        "age_min": 8, "age_max": 18,
        "age_citation": "Chorpita et al. 2000 (school years 3-12, ages about 8-18): VERIFY.",
        "order": 70,
    },
    {
        "code": "yp_core",
        "name_en": "Young Person's Clinical Outcomes in Routine Evaluation (YP-CORE): total",
        "name_cy": "Canlyniadau Clinigol mewn Gwerthusiad Arferol i Bobl Ifanc (YP-CORE): cyfanswm",
        "source": "Twigg E et al. The Young Person's CORE: development of a brief outcome measure for "
        "young people. Couns Psychother Res 2009;9(3):160-168. coresystemtrust.org.uk.",
        "licence_note_en": SCORES_ONLY_EN, "licence_note_cy": SCORES_ONLY_CY,
        "licensed_wording": False,
        "scoring": "scores_only",
        "score_min": "0.00", "score_max": "40.00",
        "direction": "lower_better",
        "rc_method": "none",
        "age_min": 11, "age_max": 16,
        "age_citation": "Twigg et al. 2009 (ages 11-16).",
        "order": 80,
    },
    {
        "code": "cors",
        "name_en": "Child Outcome Rating Scale (CORS): total",
        "name_cy": "Graddfa Sgorio Canlyniadau Plant (CORS): cyfanswm",
        "source": "Duncan BL et al. The Session Rating Scale and the Child Outcome Rating Scale. "
        "J Brief Ther 2006;5(2):71-87.",
        "licence_note_en": SCORES_ONLY_EN, "licence_note_cy": SCORES_ONLY_CY,
        "licensed_wording": False,
        "scoring": "scores_only",
        "score_min": "0.00", "score_max": "40.00",
        "direction": "higher_better",
        "rc_method": "none",
        "age_min": 6, "age_max": 12,
        "age_citation": "Duncan et al. 2006 (ages 6-12).",
        "order": 90,
    },
]  # fmt: skip


def load(apps, schema_editor):
    Instrument = apps.get_model("outcomes", "Instrument")
    for row in INSTRUMENTS:
        values = dict(row)
        code = values.pop("code")
        Instrument.objects.update_or_create(code=code, defaults=values)


def unload(apps, schema_editor):
    apps.get_model("outcomes", "Instrument").objects.filter(code__in=[r["code"] for r in INSTRUMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_instruments")]
    operations = [migrations.RunPython(load, unload)]
