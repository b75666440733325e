"""Synthetic demo assessments, consents and sharing (idempotent). Run after seed_demo.

For a handful of children in the demo service's care teams this writes holistic assessment
sections through ``assessments.services.save_section`` (so every version is checked and audited
exactly as in real use), records consents with the young person's views in their words, one
restricted section and one safeguarding request waiting for a manager's decision.

Deterministic: the same children (chosen by record order) and the same words every time. Running
it again changes nothing: every item is looked up before it is written. Synthetic people only:
every name comes from ``seed_demo``; every organisation is a reference or "(demo)" one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, Profession, User
from assessments.models import SectionRestriction, SectionVersion, Voice
from assessments.services import restrict_section, save_section
from audit.models import Action, Route
from audit.services import record
from consent.models import (
    ConsentDecision,
    Decider,
    HowGiven,
    Item,
    LawfulBasis,
    Purpose,
    SafeguardingShare,
    SafeguardingStatus,
)
from people.models import CareTeamMembership, Child

SERVICE_CODE = "NYTH-SE"
COURT = ("COURT-DEMO-1", "Family Court at Cardiff (demo)", "Llys Teulu Caerdydd (demo)", "RPB-CV")
WASPI = "Cardiff and Vale WASPI Information Sharing Protocol (demo)"
LEAD = "lead"  # the author is the child's lead practitioner


@dataclass(frozen=True)
class Entry:
    """One saved version of one section: the n-th entry for a section becomes version n."""

    section: str
    author: str  # a demo username, or LEAD
    text: str
    voice: str = Voice.PROFESSIONAL


# --- The child whose assessment is built across agencies (English) ---------------------------------

_EMOTIONAL_V1 = (
    "Big feelings show as shutting down at school and, at home, slamming doors after family contact. "
    "We understand this as a young person whose early experiences taught them that adults are "
    "unpredictable: watchful in busy, noisy places and quick to expect rejection. {name} settles with "
    "predictable routines, warning of changes in advance, and time with the dog after school."
)

SHARED_CHILD = [
    Entry(
        "my_story",
        LEAD,
        "I'm {name}. I like drawing comics, the dog at my foster home (Bryn) and chips on a Friday. "
        "The thing I hate most is telling my story again to new people, especially when I'm not in the room. "
        "I want people to ask me first. When I'm worried I go quiet, and it helps when someone just sits "
        "with me instead of asking loads of questions. What matters most to me: staying at my school, "
        "seeing my little sister every month, and being believed.\n\n"
        "(Written together in our session; these are {name}'s own words.)",
        Voice.WITH_YOUNG_PERSON,
    ),
    Entry(
        "strengths",
        LEAD,
        "{name} is funny, observant and fiercely loyal to the people they trust. A talented artist: "
        "their comic about a fox who keeps moving house was shown at the school open evening. Keeps going "
        "to football training even in hard weeks. Gentle with younger children and with animals.",
    ),
    Entry(
        "relationships",
        LEAD,
        "Trusted adults: the foster carers (three years in this home), the form tutor, and a grandmother "
        "who phones every Sunday. Monthly contact with a younger sister, who lives with another foster "
        "family, is the relationship that matters most to {name}; a cancelled contact is followed by a "
        "hard week. {name} wants the foster carers and their grandmother kept informed about this "
        "assessment.",
    ),
    Entry(
        "adversity",
        LEAD,
        "Summary only; the full chronology is held by children's services. {name} lived with neglect and "
        "domestic abuse before coming into care aged seven, and moved placement twice in the first year. "
        "This term {name} made a further disclosure to their lead practitioner about an adult outside the "
        "home; it is being handled through the safeguarding procedures. {name} asked that this is not "
        "shared with school.",
    ),
    Entry("emotional_needs", LEAD, _EMOTIONAL_V1),
    Entry(
        "formulation",
        LEAD,
        "Our shared understanding: {name} learned early that adults could not always be relied on, so "
        "staying watchful and keeping people at a distance kept them safe. At school and after contact "
        "this can look like withdrawal or anger. The relationships that work are predictable and patient. "
        "Agreed with the foster carers, the school and CAMHS at the joint meeting.",
    ),
    Entry(
        "support",
        LEAD,
        "1. Fortnightly therapeutic sessions with Nyth (art-based, {name}'s choice).\n"
        "2. Trauma-informed consultation for the foster carers, from CAMHS and Nyth together.\n"
        "3. A named adult at the start of the school day and a quiet space at break times.\n"
        "4. Contact with their sister kept monthly and planned together.\n\n"
        '{name} said: "I want one person who knows everything so I don\'t have to keep explaining."',
    ),
    # Contributions from partner agencies, each through the young person's consent.
    Entry(
        "emotional_needs",
        "clinigydd",
        _EMOTIONAL_V1
        + "\n\nCAMHS, after the joint consultation: we share this understanding. Sleep has been poor since "
        "the last placement review, with nightmares about twice a week. We suggest trauma-informed "
        "consultation for the foster carers before any individual therapy, and will review in eight weeks. "
        "No diagnosis is needed for this support.",
    ),
    Entry(
        "health",
        "clinigydd",
        "Generally well. Asthma, managed with a preventer inhaler. Sleep is difficult at the moment (see "
        "emotional and behavioural needs). Registered with a GP and a dentist near the foster home; the "
        "looked-after child health assessment is up to date.",
    ),
    Entry(
        "education",
        "teacher",
        "Year 9. Attendance this term is 91%, lower in the weeks after contact. Doing well in art and in "
        "design and technology; finds long written tasks hard and avoids reading aloud. Has an Individual "
        "Development Plan for literacy. What helps: a named adult at the start of the day, a quiet space "
        "at break times, and being told about cover teachers in advance.",
    ),
    Entry(
        "neurodivergence",
        "edpsych",
        "No diagnosis, and none is needed for support. Classroom observation and a consultation with the "
        "foster carers suggest difficulties with working memory and processing speed, and sensitivity to "
        "noise. The foster carers have asked about FASD; there is no confirmed history of alcohol exposure. "
        "Recommended: instructions in small steps, a visual timetable, and a neurodevelopmental assessment "
        "if {name} wants one.",
    ),
    Entry(
        "home",
        "socialworker",
        "Long-term foster placement with local authority foster carers since {name} was eleven. The "
        "placement is stable and the carers would like {name} to stay at least until eighteen. The carers "
        "have asked for more support around contact days. The care and support plan was reviewed in the "
        "spring.",
    ),
]

# --- A child whose consent to a youth project was withdrawn -----------------------------------------

WITHDRAWN_CHILD = [
    Entry(
        "my_story",
        LEAD,
        "I wrote this myself. I'm into gaming and BMX. I live with my nan now and I want to stay with her. "
        "Please don't change my worker again, I've had four.",
        Voice.YOUNG_PERSON,
    ),
    Entry(
        "strengths",
        LEAD,
        "{name} is determined and practical: fixed the BMX themselves from parts, and is teaching a "
        "younger cousin to ride. Honest about feelings once trust is built.",
    ),
    Entry(
        "home",
        LEAD,
        "Kinship placement with a grandmother, settled for a year. The grandmother asks for help to "
        "understand {name}'s behaviour after early neglect, and for a break now and then.",
    ),
]

# --- A child with a safeguarding request waiting for a manager ---------------------------------------

SAFEGUARDING_CHILD = [
    Entry(
        "my_story",
        LEAD,
        "{name} told me: \"People think I'm trouble. I'm not. I just don't like being at home when it's "
        'loud. My mates get me."',
        Voice.WITH_YOUNG_PERSON,
    ),
    Entry(
        "strengths",
        LEAD,
        "Quick-witted and kind to friends; good at fixing phones and bikes. Keeps coming to sessions even "
        "when things are hard.",
    ),
    Entry(
        "risks",
        LEAD,
        "Older young people have been seen picking {name} up in cars near the shopping centre, and {name} "
        "has been missing twice this month. A safety plan is agreed with the carers. We are asking to share "
        "this section with the youth justice service because of a risk of criminal exploitation.",
    ),
]

# --- Children whose language is Welsh: written in Welsh by a Welsh-speaking practitioner ------------

WELSH_CHILD = [
    Entry(
        "my_story",
        "ymarferydd",
        "Fi yw {name}. Dw i'n hoffi canu yn y côr, nofio a mynd i'r traeth gyda fy ngofalwyr maeth. "
        "Dw i ddim eisiau dweud fy stori dro ar ôl tro wrth bobl newydd. Dw i eisiau i bobl ofyn i fi "
        "yn gyntaf, a siarad Cymraeg gyda fi.",
        Voice.YOUNG_PERSON,
    ),
    Entry(
        "strengths",
        "ymarferydd",
        "Mae {name} yn garedig, yn ddoniol ac yn greadigol. Mae'n canu gyda'r Urdd ac yn falch iawn o'r "
        "fedal o'r Eisteddfod. Mae'n gofalu'n dyner am y plant iau yn y cartref.",
    ),
    Entry(
        "relationships",
        "ymarferydd",
        "Yr oedolion y mae {name} yn ymddiried ynddyn nhw: y gofalwyr maeth, yr athro Cymraeg yn yr "
        "ysgol, a modryb sy'n ffonio bob nos Sul. Mae gweld ei brawd bob mis yn bwysig iawn.",
    ),
    Entry(
        "support",
        "ymarferydd",
        "Sesiynau therapiwtig drwy gyfrwng y Gymraeg bob pythefnos; cyngor i'r gofalwyr maeth; oedolyn "
        'penodol yn yr ysgol. Dywedodd {name}: "Dw i eisiau siarad Cymraeg, dyna fy iaith i."',
    ),
]

RESTRICTION_REASON = (
    "A disclosure made to the lead practitioner: readable only by the named worker while the "
    "safeguarding enquiry continues."
)


class Command(BaseCommand):
    help = "Write synthetic demo assessments, consents and a safeguarding request (run after seed_demo)."

    def handle(self, *args, **options):
        service = Organisation.objects.filter(code=SERVICE_CODE).first()
        needed = ["practitioner", "ymarferydd", "camhs", "clinigydd", "teacher", "edpsych", "socialworker"]
        users = {u.username: u for u in User.objects.filter(username__in=needed).select_related("organisation")}
        if service is None or set(users) != set(needed):
            raise CommandError("Run seed_demo first.")
        versions_before = SectionVersion.objects.count()
        with transaction.atomic():
            court = self._court()
            english, welsh = self._children(service, users)
            if not english:
                raise CommandError("No child in the demo practitioner's caseload: run seed_demo with more children.")
            consents = self._consents(english, users, court)
            for kid, entries in zip(english, (SHARED_CHILD, WITHDRAWN_CHILD, SAFEGUARDING_CHILD), strict=False):
                self._write(kid, entries, users, language="en")
            for kid in welsh:
                self._write(kid, WELSH_CHILD, users, language="cy")
            restricted = self._restrict(english[0], users["practitioner"])
            requests = self._safeguarding(english[2:3])
        created = SectionVersion.objects.count() - versions_before
        shared = english[0]
        self.stdout.write(
            f"Demo assessments ready: {len(english) + len(welsh)} children, {created} section versions written now; "
            f"{consents} consents, {restricted} restricted section, {requests} safeguarding request."
        )
        self.stdout.write(
            f"  Built across agencies (CAMHS, school, educational psychology, children's services): "
            f"{shared.given_name} {shared.family_name} (lead practitioner: practitioner)."
        )

    # --- Organisations and children ----------------------------------------------------------------

    def _court(self) -> Organisation:
        code, name_en, name_cy, region = COURT
        court, _ = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_cy": name_cy,
                "type": OrganisationType.COURT,
                "region": Organisation.objects.filter(code=region).first(),
            },
        )
        return court

    def _children(self, service: Organisation, users: dict[str, User]) -> tuple[list[Child], list[Child]]:
        """Up to three English-speaking children led by the demo practitioner, and up to two
        Welsh-speaking children in the Welsh-speaking practitioner's care team (by record order)."""

        def in_team_of(user: User) -> list[int]:
            return list(
                CareTeamMembership.objects.filter(user=user, ended_at__isnull=True, child__service=service).values_list(
                    "child_id", flat=True
                )
            )

        lead_of = set(
            CareTeamMembership.objects.filter(
                user=users["practitioner"], role="lead", ended_at__isnull=True
            ).values_list("child_id", flat=True)
        )
        current = Child.objects.current().filter(service=service).order_by("pk")
        english = list(current.filter(pk__in=lead_of, preferred_language="en")[:3])
        welsh = list(current.filter(pk__in=in_team_of(users["ymarferydd"]), preferred_language="cy")[:2])
        return english, welsh

    # --- Consents ------------------------------------------------------------------------------------

    def _consents(self, english: list[Child], users: dict[str, User], court: Organisation) -> int:
        today = timezone.localdate()
        practitioner = users["practitioner"]
        shared = english[0]
        name = shared.preferred_name or shared.given_name
        common = {
            "decider": Decider.YOUNG_PERSON,
            "competence_judgement": (
                f"{name} understood what would be shared, with whom and why, and that they can change their "
                "mind at any time. Talked through twice, a week apart, with the same answer."
            ),
            "how_given": HowGiven.IN_PERSON,
            "lawful_basis": LawfulBasis.HEALTH_SOCIAL_CARE,
            "sharing_protocol": WASPI,
            "recorded_by": practitioner,
        }
        specs: list[tuple[Child, dict]] = [
            (
                shared,
                {
                    **common,
                    "recipient_organisation": users["camhs"].organisation,
                    "items": [Item.WHOLE_ASSESSMENT],
                    "purposes": [Purpose.JOINT_ASSESSMENT],
                    "young_person_views": (
                        "CAMHS can read all of it and add their bit. I don't want to tell it all again to another "
                        "new person."
                    ),
                    "given_on": today - datetime.timedelta(days=42),
                    "review_on": today + datetime.timedelta(days=140),
                },
            ),
            (
                shared,
                {
                    **common,
                    "recipient_organisation": users["teacher"].organisation,
                    "sections": ["education", "my_story"],
                    "purposes": [Purpose.JOINT_ASSESSMENT],
                    "young_person_views": (
                        "School can see my story and the school bit, and write about school. Not the other stuff."
                    ),
                    "given_on": today - datetime.timedelta(days=40),
                    "review_on": today + datetime.timedelta(days=140),
                },
            ),
            (
                shared,
                {
                    **common,
                    "recipient_profession": Profession.EDUCATIONAL_PSYCHOLOGIST,
                    "sections": ["neurodivergence", "education"],
                    "purposes": [Purpose.JOINT_ASSESSMENT],
                    "young_person_views": "The psychologist can write about how I learn. That's fine.",
                    "given_on": today - datetime.timedelta(days=40),
                    "review_on": today + datetime.timedelta(days=140),
                },
            ),
            (
                shared,
                {
                    **common,
                    "recipient_organisation": users["socialworker"].organisation,
                    "sections": ["home", "relationships", "support"],
                    "purposes": [Purpose.JOINT_ASSESSMENT],
                    "young_person_views": "My social worker can see where I live and who matters to me.",
                    "given_on": today - datetime.timedelta(days=38),
                    "review_on": today + datetime.timedelta(days=140),
                },
            ),
            (
                shared,
                {
                    **common,
                    "recipient_organisation": court,
                    "items": [Item.WHOLE_ASSESSMENT],
                    "purposes": [Purpose.COURT],
                    "lawful_basis": LawfulBasis.LEGAL_CLAIMS,
                    "young_person_views": (
                        "I want the judge to know what I think and what helps me. Not the private part."
                    ),
                    "given_on": today - datetime.timedelta(days=10),
                    "review_on": today + datetime.timedelta(days=60),
                },
            ),
        ]
        if len(english) > 1:
            second = english[1]
            second_name = second.preferred_name or second.given_name
            specs.append(
                (
                    second,
                    {
                        **common,
                        "competence_judgement": (
                            f"{second_name} understood the choice and was clear about it, both times we spoke."
                        ),
                        "recipient_organisation": Organisation.objects.get(code="3S-DEMO-1"),
                        "sections": ["my_story", "strengths"],
                        "purposes": [Purpose.JOINT_ASSESSMENT],
                        "young_person_views": "The youth project can read my story so I don't have to say it again.",
                        "given_on": today - datetime.timedelta(days=60),
                        "withdrawn_at": timezone.now() - datetime.timedelta(days=6),
                        "withdrawn_by": practitioner,
                        "withdrawal_note": (
                            f"{second_name} no longer wants the youth project to read their story; they would rather tell "
                            "the youth worker themselves, in their own time."
                        ),
                    },
                )
            )
        for child, values in specs:
            views = values.pop("young_person_views")
            consent, created = ConsentDecision.objects.get_or_create(
                child=child, young_person_views=views, defaults=values
            )
            if created:
                record(
                    actor=consent.recorded_by,
                    action=Action.CREATE,
                    obj=consent,
                    child_id=child.pk,
                    route=Route.SYSTEM,
                    detail={"recipient": consent.recipient_label, "purposes": consent.purposes, "demo": True},
                )
        return len(specs)

    # --- Sections ------------------------------------------------------------------------------------

    def _write(self, child: Child, entries: list[Entry], users: dict[str, User], *, language: str) -> None:
        """Save each entry as the next version of its section, unless that version exists."""
        lead = (
            CareTeamMembership.objects.filter(child=child, role="lead", ended_at__isnull=True)
            .select_related("user__organisation")
            .first()
        )
        if lead is None:  # the children seeded are chosen from a lead's caseload
            raise CommandError(f"Child {child.pk} has no lead practitioner to write the assessment")
        name = child.preferred_name or child.given_name
        existing = set(SectionVersion.objects.filter(assessment__child=child).values_list("section", "number"))
        numbers: dict[str, int] = {}
        for entry in entries:
            number = numbers[entry.section] = numbers.get(entry.section, 0) + 1
            if (entry.section, number) in existing:
                continue
            author = lead.user if entry.author == LEAD else users[entry.author]
            save_section(
                by=author,
                child=child,
                section=entry.section,
                text=entry.text.format(name=name),
                based_on=number - 1,
                voice=entry.voice,
                text_language=language,  # each set of entries is written in one language
            )

    def _restrict(self, child: Child, lead: User) -> int:
        """The adversity section, restricted to the lead practitioner (always named)."""
        if not SectionRestriction.objects.filter(assessment__child=child, section="adversity").exists():
            restrict_section(by=lead, child=child, section="adversity", allowed=[], reason=RESTRICTION_REASON)
        return 1

    def _safeguarding(self, children: list[Child]) -> int:
        for child in children:
            name = child.preferred_name or child.given_name
            lead = CareTeamMembership.objects.filter(child=child, role="lead", ended_at__isnull=True).first()
            if lead is None:
                raise CommandError(f"Child {child.pk} has no lead practitioner to request the share")
            reason = (
                f"Risk of criminal exploitation: {name} has been seen getting into cars with older young people "
                "and has been missing twice this month. The youth justice service is working with the same group "
                "and needs to know now; asking for consent first could increase the risk."
            )
            share, created = SafeguardingShare.objects.get_or_create(
                child=child,
                reason=reason,
                defaults={
                    "recipient_organisation": Organisation.objects.get(code="YJS-DEMO-1"),
                    "sections": ["risks"],
                    "young_person_views": f"{name} said they don't want to get anyone into trouble.",
                    "expires_on": timezone.localdate() + datetime.timedelta(days=28),
                    "requested_by": lead.user,
                    "status": SafeguardingStatus.REQUESTED,
                },
            )
            if created:
                record(
                    actor=share.requested_by,
                    action=Action.CREATE,
                    obj=share,
                    child_id=child.pk,
                    route=Route.SYSTEM,
                    detail={"status": share.status, "sections": share.sections, "demo": True},
                )
        return len(children)
