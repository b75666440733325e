"""The sections of the one holistic assessment, in the order they are read.

Designed from the guidance's component description (reference 002: therapeutically informed,
holistic assessment with CAMHS, educational psychology, education and children's services) and
the domain notes: the young person's own story comes first, support is never made to depend on a
diagnosis, and adversity is recorded with care in how it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    hint: Promise
    #: Shown folded away with a content note: the reader chooses to open it (ACEs, trauma).
    sensitive: bool = False


SECTIONS: tuple[Section, ...] = (
    Section(
        "my_story",
        _("My story and what matters to me"),
        _("In the young person's own words – written by them, with them, or as they said it."),
    ),
    Section("strengths", _("Strengths and interests"), _("What they are good at, enjoy and are proud of.")),
    Section(
        "relationships",
        _("Relationships and trusted adults"),
        _("The people who matter to them, who they trust, and who they want kept informed."),
    ),
    Section(
        "adversity",
        _("Experiences of adversity and trauma"),
        _(
            "Adverse childhood experiences and their impact. Write only what helps others understand; do not repeat details the young person has not agreed to share."
        ),
        sensitive=True,
    ),
    Section(
        "emotional_needs",
        _("Emotional and behavioural needs"),
        _("Understood in the context of trauma and development, not as a diagnosis."),
    ),
    Section(
        "neurodivergence",
        _("Neurodivergence"),
        _(
            "Identified or suspected – for example autism, ADHD or FASD – and what helps. A diagnosis is never needed for support."
        ),
    ),
    Section(
        "education", _("Education and learning"), _("School or college, attendance, learning needs and what helps.")
    ),
    Section("home", _("Placement and home"), _("Where they live, stability, what carers notice and need.")),
    Section("health", _("Health"), _("Physical and mental health, sleep, substance use, health appointments.")),
    Section("risks", _("Risks and safety"), _("Current risks, what keeps them safe, and safety plans.")),
    Section(
        "views_of_others",
        _("Views of carers and professionals"),
        _("What carers, teachers, social workers and others see and think."),
    ),
    Section(
        "formulation",
        _("Formulation: a shared understanding"),
        _("A shared understanding of why things are as they are, agreed across the people involved."),
    ),
    Section("support", _("What support would help"), _("What would help, from whom, and what the young person wants.")),
)

SECTION_KEYS: tuple[str, ...] = tuple(section.key for section in SECTIONS)
SECTION_CHOICES = [(section.key, section.title) for section in SECTIONS]
BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
