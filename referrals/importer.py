"""CSV import of referrals: a spreadsheet saved as CSV, English or Welsh column headers.

Every row is checked before anything is written; problems are reported row by row (the row
number the spreadsheet shows, the header counting as row 1; the column as named in the file;
what is wrong, in the user's language). Each valid row becomes a referral through
``referrals.services.submit_referral`` (route ``import``) – the same function every intake route
calls – with an idempotency key made from the row's normalised content and the service, so
importing the same file twice, or a row repeated in the file, creates each referral once.

Two modes: ``valid_only`` imports the valid rows and reports the others; ``all_or_nothing``
imports nothing unless every row is valid. A row is never half imported: a referral is written
whole by one call, or not at all.

The columns are documented in ``docs/referrals-csv.md``; ``COLUMNS`` below is the one list.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationType
from audit.models import Action
from audit.models import Route as AuditRoute
from audit.services import record
from core.forms import GovukDateField
from people.identifiers import normalise_nhs_number, validate_nhs_number
from people.models import LegalStatus, PlacementType, PreferredLanguage
from referrals.filetypes import HEAD_BYTES, not_a_csv
from referrals.forms import ReferralForm
from referrals.models import Awareness, Referral, ReferrerType, Route
from referrals.services import submit_referral, submit_referrals

VALID_ONLY = "valid_only"
ALL_OR_NOTHING = "all_or_nothing"
MODES = (VALID_ONLY, ALL_OR_NOTHING)
# Rows written per transaction (valid-only mode): big enough to be fast, small enough that a
# long import commits as it goes (a re-run picks up where it stopped: idempotency keys) and
# releases the audit chain's lock often – every audit event, anyone's, waits for that lock until
# the transaction holding it commits.
CHUNK_SIZE = 200
KEY_PREFIX = "import:"


# --- The columns ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    field: str  # the Referral field it fills
    en: str  # English header
    cy: str  # Welsh header
    kind: str  # text, date, received, nhs, authority, choice, language, awareness, bool
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    # The child or young person
    Column("given_name", "given_name", "enw_cyntaf", "text", required=True, aliases=("first_name",)),
    Column("family_name", "family_name", "cyfenw", "text", required=True, aliases=("last_name", "surname")),
    Column("preferred_name", "preferred_name", "enw_dewisol", "text"),
    Column("former_names", "former_names", "enwau_blaenorol", "text"),
    Column("date_of_birth", "date_of_birth", "dyddiad_geni", "date", required=True, aliases=("dob",)),
    Column("nhs_number", "nhs_number", "rhif_gig", "nhs"),
    Column("postcode", "postcode", "cod_post", "text"),
    Column(
        "responsible_local_authority",
        "local_authority",
        "awdurdod_lleol",
        "authority",
        aliases=("responsible_local_authority",),
    ),
    Column("legal_status", "legal_status", "statws_cyfreithiol", "choice", required=True),
    Column("placement_type", "placement_type", "lleoliad_presennol", "choice", aliases=("current_placement",)),
    Column(
        "placement_out_of_county",
        "placement_out_of_county",
        "lleoliad_tu_allan_ir_sir",
        "bool",
        aliases=("out_of_county",),
    ),
    Column("preferred_language", "preferred_language", "iaith_ddewisol", "language"),
    Column("active_offer_made", "active_offer_made", "cynnig_rhagweithiol", "bool", aliases=("active_offer",)),
    Column("communication_needs", "communication_needs", "anghenion_cyfathrebu", "text"),
    # The referrer
    Column("referrer_type", "referrer_type", "math_o_atgyfeiriwr", "choice", required=True),
    Column("referrer_name", "referrer_name", "enw_atgyfeiriwr", "text", required=True),
    Column("referrer_organisation", "referrer_organisation", "sefydliad_atgyfeiriwr", "text"),
    Column("referrer_relationship", "referrer_relationship", "perthynas_atgyfeiriwr", "text"),
    Column("referrer_email", "referrer_email", "ebost_atgyfeiriwr", "text", aliases=("e_bost_atgyfeiriwr",)),
    Column("referrer_phone", "referrer_phone", "ffon_atgyfeiriwr", "text"),
    Column("referrer_language", "referrer_language", "iaith_atgyfeiriwr", "language"),
    # What is happening, and the young person's voice
    Column("needs", "needs", "anghenion", "text", required=True),
    Column("complex_needs", "complex_needs", "anghenion_cymhleth", "bool"),
    Column("diagnosis", "diagnosis", "diagnosis", "text"),
    Column("young_person_views", "young_person_views", "barn_y_person_ifanc", "text"),
    Column("young_person_knows", "young_person_knows", "person_ifanc_yn_gwybod", "awareness"),
    Column("young_person_agrees", "young_person_agrees", "person_ifanc_yn_cytuno", "awareness"),
    Column("professionals_involved", "professionals_involved", "gweithwyr_proffesiynol", "text"),
    Column("consent_to_contact_others", "consent_to_contact_others", "cydsyniad_i_gysylltu", "bool"),
    # Current risks
    Column("risk_self_harm", "risk_self_harm", "risg_hunan_niweidio", "bool"),
    Column("risk_exploitation", "risk_exploitation", "risg_camfanteisio", "bool"),
    Column("risk_going_missing", "risk_going_missing", "risg_mynd_ar_goll", "bool"),
    Column("risk_placement_breakdown", "risk_placement_breakdown", "risg_lleoliad_yn_chwalu", "bool"),
    Column("risk_secure_or_dols", "risk_secure_or_dols", "risg_llety_diogel", "bool"),
    Column("risk_harm_to_others", "risk_harm_to_others", "risg_niwed_i_eraill", "bool"),
    Column("risk_notes", "risk_notes", "nodiadau_risg", "text"),
    # When the referral was first received (a waiting list moved from a spreadsheet keeps its waits)
    Column("received_at", "date_received", "dyddiad_atgyfeirio", "received", aliases=("received_at",)),
)

CHOICES = {
    "legal_status": LegalStatus,
    "placement_type": PlacementType,
    "referrer_type": ReferrerType,
    "young_person_knows": Awareness,
    "young_person_agrees": Awareness,
    "preferred_language": PreferredLanguage,
}
# Yes and no as people type them in English and Welsh (Welsh answers echo the question's verb).
TRUE_WORDS = {"yes", "y", "true", "t", "1", "ie", "ydy", "ydw", "oes", "do", "gwir"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "na", "nac ydy", "nac ydw", "nac oes", "naddo", "gau"}
LANGUAGE_WORDS = {"en": {"en", "english", "saesneg"}, "cy": {"cy", "welsh", "cymraeg"}}
# Short forms of council names ("Cardiff", "Caerdydd") are accepted when they are unambiguous.
_COUNCIL_AFFIXES = re.compile(
    r"^(city and county of|cyngor bwrdeistref sirol|cyngor dinas|cyngor sir|cyngor|dinas a sir)\s+|"
    r"\s+(county borough council|county council|city council|council)$"
)
_DATE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+0{1,2}:00(?::00)?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?$")


def _fold(value: str) -> str:
    """Matching form of a header or a coded value: case, accents, spacing and the separators
    people use (``Date of birth``, ``date-of-birth``, ``Dyddiad geni`` …) do not matter."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['’`]", "", text.casefold())
    return re.sub(r"[\s_\-]+", " ", text).strip()


def _header_key(value: str) -> str:
    return _fold(value.lstrip("\ufeff"))


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- The report -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str  # the header as written in the file; "" for the row as a whole
    message: str  # already in the user's language


@dataclass
class ImportReport:
    mode: str
    rows: int = 0  # rows with content below the header
    valid: int = 0
    created: int = 0
    duplicates: int = 0  # already imported, or repeated in the file
    invalid: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # of the referrals created

    @property
    def blocked(self) -> bool:
        """Nothing was imported because of errors (the file, or a row in all-or-nothing mode)."""
        return bool(self.file_errors) or (self.invalid > 0 and self.created == 0 and self.duplicates == 0)

    def errors_by_row(self) -> list[tuple[int, list[RowError]]]:
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row, []).append(error)
        return sorted(grouped.items())


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, or its header row is wrong)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class Progress(Protocol):
    def update(self, n: int = 1) -> Any: ...
    def close(self) -> Any: ...


ProgressFactory = Callable[[str, int], Progress]


# --- Reading the file -------------------------------------------------------------------------
def decode(raw: bytes) -> str:
    """UTF-8 (with or without the byte order mark spreadsheets add), else Windows-1252 (what
    older Excel writes for "CSV (comma delimited)"). A file that is something else renamed
    ``.csv`` is named as such (``referrals.filetypes``)."""
    unreadable = _(
        "The file could not be read. Save it from your spreadsheet as “CSV UTF-8 (comma delimited)” and try again."
    )
    other = not_a_csv(raw[:HEAD_BYTES])
    if other:
        raise ImportFileError([other])  # a workbook, a PDF or a picture renamed .csv: say which
    head = raw[:4096]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 8:
        # UTF-16 ("Unicode text"), with its byte order mark or without (every other byte NUL),
        # or not text at all. A stray NUL or two in a real CSV is reported on its row instead.
        raise ImportFileError([unreadable])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError([unreadable]) from None


def read_records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows with content, each with its spreadsheet row number. A quoted
    cell may hold line breaks: it is still one spreadsheet row."""
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ImportFileError(
            [
                _(
                    "The file could not be read. Save it from your spreadsheet as “CSV UTF-8 (comma delimited)” and try again."
                )
            ]
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise ImportFileError([_("The file is empty: the first row must hold the column headers.")])
    nul_headers = [column_letter(index) for index, cell in enumerate(records[0]) if "\x00" in cell]
    if nul_headers:
        raise ImportFileError(
            [
                _(
                    "The header row has a NUL byte (an invisible character) in column %(columns)s. Remove it and try again."
                )
                % {"columns": ", ".join(nul_headers)}
            ]
        )
    rows = [(number, cells) for number, cells in enumerate(records[1:], start=2) if any(cell.strip() for cell in cells)]
    return records[0], rows


_HEADERS: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.en, _column.cy, *_column.aliases):
        _HEADERS[_fold(_name)] = _column


def map_headers(header: list[str]) -> list[tuple[int, Column, str]]:
    """Each known column with its position and its header as written. Unknown, repeated or
    missing required columns stop the import: data in a misspelt column must not be lost."""
    problems: list[str] = []
    found: dict[str, tuple[int, Column, str]] = {}
    for index, raw in enumerate(header):
        name = raw.lstrip("\ufeff").strip()
        if not name:
            continue  # a column without a header: any value in it is reported on its row
        column = _HEADERS.get(_header_key(name))
        if column is None:
            problems.append(
                _(
                    "Column “%(column)s” is not a column Nyth knows. Check its spelling against the list of columns, or remove it."
                )
                % {"column": name}
            )
        elif column.field in found:
            problems.append(
                _("Columns “%(first)s” and “%(second)s” are the same column. Keep only one of them.")
                % {"first": found[column.field][2], "second": name}
            )
        else:
            found[column.field] = (index, column, name)
    for column in COLUMNS:
        if column.required and column.field not in found:
            problems.append(
                _("The required column “%(english)s” (in Welsh, “%(welsh)s”) is missing.")
                % {"english": column.en, "welsh": column.cy}
            )
    if problems:
        raise ImportFileError(problems)
    return sorted(found.values(), key=lambda item: item[0])


# --- Checking a row ---------------------------------------------------------------------------
@dataclass
class ValidRow:
    number: int
    data: dict[str, Any]
    key: str


class RowValidator:
    """Turns a row's cells into ``submit_referral`` data, with the same field validation as the
    referral form (its fields: lengths, e-mail, markup refused, NHS number check) and then the
    model's own checks. Built once per import: the look-up tables are made once."""

    def __init__(self, *, service: Organisation, columns: list[tuple[int, Column, str]]) -> None:
        self.service = service
        self.columns = columns
        self.headers = {column.field: name for _index, column, name in columns}
        self.fields = ReferralForm().fields
        self.received_field = GovukDateField(past_only=True, earliest_year=2000, required=False)
        self.defaults = {
            column.field: cast(models.Field, Referral._meta.get_field(column.field)).get_default() for column in COLUMNS
        }
        self.defaults["responsible_local_authority"] = None
        self.choices = {name: self._choice_lookup(choices) for name, choices in CHOICES.items()}
        self.authorities = self._authority_lookup()

    @staticmethod
    def _choice_lookup(choices: Any) -> dict[str, str]:
        """A value may be written as its code, its English label or its Welsh label."""
        lookup: dict[str, str] = {}
        for language in ("en", "cy"):
            with translation.override(language):
                for code, label in choices.choices:
                    lookup.setdefault(_fold(str(code)), code)
                    lookup.setdefault(_fold(str(label)), code)
        return lookup

    @staticmethod
    def _authority_lookup() -> dict[str, Organisation]:
        lookup: dict[str, Organisation] = {}
        short: dict[str, set[int]] = {}
        authorities = list(Organisation.objects.filter(type=OrganisationType.LOCAL_AUTHORITY, is_active=True))
        by_pk = {authority.pk: authority for authority in authorities}
        for authority in authorities:
            for name in (authority.code, authority.name_en, authority.name_cy):
                if name:
                    lookup[_fold(name)] = authority
                    short.setdefault(_COUNCIL_AFFIXES.sub("", _fold(name)), set()).add(authority.pk)
        for name, pks in short.items():
            if len(pks) == 1 and name not in lookup:
                lookup[name] = by_pk[next(iter(pks))]
        return lookup

    def _allowed(self, name: str) -> str:
        return ", ".join(str(code) for code in CHOICES[name].values)

    def _value(self, column: Column, raw: str) -> Any:
        """The cleaned value of one cell, or a ValidationError saying what is wrong."""
        if "\x00" in raw:
            # No database column can hold it (PostgreSQL refuses it in text), and it usually
            # means the export went wrong: reported here, on its row and column, not for the file.
            raise ValidationError(
                _(
                    "This cell contains a NUL byte (an invisible character that usually means the file was exported wrongly). Remove it, or export the file again."
                )
            )
        value = _text(raw)
        name = column.field
        if column.kind == "text":
            return self.fields[name].clean(value)
        if column.kind == "nhs":
            digits = normalise_nhs_number(self.fields[name].clean(value))
            validate_nhs_number(digits)
            return digits
        if column.kind in ("date", "received"):
            if not value:
                if column.kind == "received":
                    return None
                return self.fields[name].clean(["", "", ""])
            parts = self._date_parts(value)
            target = self.received_field if column.kind == "received" else self.fields[name]
            day = target.clean(parts)
            if column.kind == "received":
                return timezone.make_aware(datetime.combine(day, time(12, 0))) if day is not None else None
            return day
        if column.kind == "authority":
            if not value:
                return None
            authority = self.authorities.get(_fold(value))
            if authority is None:
                raise ValidationError(
                    _(
                        "“%(value)s” is not a Welsh local authority. Enter its code (like W06000015) or its name in English or Welsh."
                    ),
                    params={"value": value[:60]},
                )
            return authority
        if column.kind == "bool":
            if not value:
                return self.defaults[name]
            folded = _fold(value)
            if folded in TRUE_WORDS:
                return True
            if folded in FALSE_WORDS:
                return False
            raise ValidationError(_("Enter yes or no (in Welsh, ie or na)."))
        if column.kind == "language":
            if not value:
                return self.defaults[name]
            folded = _fold(value)
            for language, words in LANGUAGE_WORDS.items():
                if folded in words:
                    return language
            if name == "preferred_language" and folded in self.choices[name]:
                return self.choices[name][folded]
            allowed = "en, cy" + (", other" if name == "preferred_language" else "")
            raise ValidationError(
                _("“%(value)s” is not one of the allowed values: %(allowed)s."),
                params={"value": value[:60], "allowed": allowed},
            )
        # choice and awareness
        if not value:
            default = self.defaults[name]
            return self.fields[name].clean(default if default is not None else "")
        folded = _fold(value)
        code = self.choices[name].get(folded)
        if code is None and column.kind == "awareness":
            code = Awareness.YES if folded in TRUE_WORDS else Awareness.NO if folded in FALSE_WORDS else None
        if code is None:
            raise ValidationError(
                _("“%(value)s” is not one of the allowed values: %(allowed)s."),
                params={"value": value[:60], "allowed": self._allowed(name)},
            )
        return self.fields[name].clean(str(code))

    @staticmethod
    def _date_parts(value: str) -> list[str]:
        match = _DATE_DMY.match(value)
        if match:
            return [match.group(1), match.group(2), match.group(3)]
        match = _DATE_ISO.match(value)
        if match:
            return [match.group(3), match.group(2), match.group(1)]
        raise ValidationError(_("Enter the date as DD/MM/YYYY or YYYY-MM-DD, for example 27/03/2012."))

    def check(self, number: int, cells: list[str]) -> tuple[ValidRow | None, list[RowError]]:
        errors: list[RowError] = []
        data: dict[str, Any] = {name: value for name, value in self.defaults.items() if name != "received_at"}
        for index, column, header in self.columns:
            raw = cells[index] if index < len(cells) else ""
            try:
                value = self._value(column, raw)
            except ValidationError as error:
                errors.extend(RowError(number, header, str(message)) for message in error.messages)
                continue
            if value is not None or column.field != "received_at":
                data[column.field] = value
        known = {index for index, _column, _name in self.columns}
        for index in range(len(cells)):
            if index not in known and cells[index].strip():
                errors.append(
                    RowError(
                        number,
                        "",
                        _("There is a value in column %(letter)s, which has no header or is not part of the import.")
                        % {"letter": column_letter(index)},
                    )
                )
        if errors:
            return None, errors
        errors = self._model_errors(number, data)
        if errors:
            return None, errors
        return ValidRow(number=number, data=data, key=self.key(data)), []

    def _model_errors(self, number: int, data: dict[str, Any]) -> list[RowError]:
        """The model's own rules, exactly as ``submit_referral`` will apply them, so a row that
        passes here is written whole."""
        values = dict(data)
        values["postcode"] = (values.get("postcode") or "").strip().upper()
        probe = Referral(service=self.service, route=Route.IMPORT, reference="-", idempotency_key="-", **values)
        try:
            probe.full_clean(
                exclude=[
                    "reference",
                    "idempotency_key",
                    "service",
                    "responsible_local_authority",
                    "referred_by",
                    "child",
                ],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            return [
                RowError(number, "" if name == NON_FIELD_ERRORS else self.headers.get(name, name), str(message))
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        return []

    def key(self, data: dict[str, Any]) -> str:
        """The row's normalised content and the service: the same referral typed with other
        headers, other yes/no words, labels for codes or extra spaces gives the same key."""
        canonical: dict[str, Any] = {"service": self.service.code}
        for name, value in data.items():
            if isinstance(value, Organisation):
                value = value.code
            elif isinstance(value, (date, datetime)):
                value = value.isoformat()
            elif isinstance(value, str):
                value = " ".join(value.split())
                if name == "postcode":
                    value = value.upper()
            canonical[name] = value
        digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return f"{KEY_PREFIX}{digest}"


# --- The import -------------------------------------------------------------------------------
def _chunks(rows: list[ValidRow], size: int) -> Iterator[list[ValidRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def run_import(
    source: bytes | str,
    *,
    service: Organisation,
    mode: str = VALID_ONLY,
    by: Any = None,
    language: str | None = None,
    progress: ProgressFactory | None = None,
    filename: str = "",
    chunk_size: int = CHUNK_SIZE,
) -> ImportReport:
    """Check every row of a CSV file, then import the valid rows (``valid_only``) or, only if
    every row is valid, all of them (``all_or_nothing``). Messages are in ``language`` (the
    user's; the active language when not given)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if service.type != OrganisationType.SERVICE:
        raise ValueError("referrals are imported into a service")
    with translation.override(language or get_language()):
        report = ImportReport(mode=mode)
        try:
            text = decode(source) if isinstance(source, bytes) else source.lstrip("\ufeff")
            header, rows = read_records(text)
            columns = map_headers(header)
            if not rows:
                raise ImportFileError([_("The file has no rows to import below the header row.")])
        except ImportFileError as problem:
            report.file_errors = problem.messages
            _audit(by, report, filename)
            return report
        report.rows = len(rows)
        valid = _check_rows(rows, service, columns, report, progress)
        report.valid = len(valid) + report.duplicates
        if mode == ALL_OR_NOTHING and report.invalid:
            report.duplicates = 0  # nothing was looked at in the database
            _audit(by, report, filename)
            return report
        _write(valid, service=service, by=by, mode=mode, report=report, progress=progress, chunk_size=chunk_size)
        _audit(by, report, filename)
        return report


def _check_rows(
    rows: list[tuple[int, list[str]]],
    service: Organisation,
    columns: list[tuple[int, Column, str]],
    report: ImportReport,
    progress: ProgressFactory | None,
) -> list[ValidRow]:
    validator = RowValidator(service=service, columns=columns)
    bar = progress(_("Checking rows"), len(rows)) if progress else _NoProgress()
    valid: list[ValidRow] = []
    seen: set[str] = set()
    try:
        for number, cells in rows:
            row, errors = validator.check(number, cells)
            bar.update(1)
            if row is None:
                report.invalid += 1
                report.errors.extend(errors)
            elif row.key in seen:
                report.duplicates += 1  # the same referral twice in one file: imported once
            else:
                seen.add(row.key)
                valid.append(row)
    finally:
        bar.close()
    return valid


def write_chunk(
    chunk: list[ValidRow], *, service: Organisation, by: Any, mode: str
) -> tuple[list[tuple[ValidRow, Any, bool]], list[RowError]]:
    """Write one batch through the intake service, in the caller's transaction: the outcomes
    (row, referral, created?) and the rows that failed while writing. In all-or-nothing mode
    a failure raises ``_Abort``."""
    failures: list[RowError] = []
    try:
        with transaction.atomic():
            outcomes = [
                (row, referral, was_created)
                for row, (referral, was_created) in zip(
                    chunk,
                    submit_referrals(
                        items=[(row.data, row.key) for row in chunk], route=Route.IMPORT, service=service, by=by
                    ),
                    strict=True,
                )
            ]
    except ValidationError:
        # Checked already, so only a rule changed under our feet: find the rows one by one;
        # each is written whole or not at all.
        outcomes = []
        for row in chunk:
            try:
                with transaction.atomic():
                    referral, was_created = submit_referral(
                        data=row.data, route=Route.IMPORT, service=service, idempotency_key=row.key, by=by
                    )
                outcomes.append((row, referral, was_created))
            except ValidationError as error:
                failures.extend(RowError(row.number, "", str(message)) for message in error.messages)
                if mode == ALL_OR_NOTHING:
                    raise _Abort(failures) from None
    return outcomes, failures


def _write(
    rows: list[ValidRow],
    *,
    service: Organisation,
    by: Any,
    mode: str,
    report: ImportReport,
    progress: ProgressFactory | None,
    chunk_size: int,
) -> None:
    """Every row through the intake service (``submit_referrals``, a chunk at a time), in one
    transaction per chunk (valid-only) or one for the whole file (all-or-nothing). A row is
    written whole or not at all."""
    bar = progress(_("Importing"), len(rows)) if progress else _NoProgress()
    created = duplicates = 0
    references: list[str] = []
    failures: list[RowError] = []
    try:
        with transaction.atomic() if mode == ALL_OR_NOTHING else contextlib.nullcontext():
            for chunk in _chunks(rows, chunk_size):
                with transaction.atomic():
                    outcomes, chunk_failures = write_chunk(chunk, service=service, by=by, mode=mode)
                failures.extend(chunk_failures)
                for _row, referral, was_created in outcomes:
                    if was_created:
                        created += 1
                        references.append(referral.reference)
                    else:
                        duplicates += 1
                bar.update(len(chunk))
    except _Abort as abort:
        failures.extend(abort.failures)
        created = duplicates = 0
        references = []
    finally:
        bar.close()
    failed_rows = {failure.row for failure in failures}
    report.created = created
    report.duplicates += duplicates
    report.invalid += len(failed_rows)
    report.valid -= len(failed_rows)
    report.errors = sorted([*report.errors, *failures], key=lambda error: error.row)
    report.references = references


class _Abort(Exception):
    def __init__(self, failures: list[RowError]) -> None:
        super().__init__("a row failed in all-or-nothing mode")
        self.failures = failures


def _audit(by: Any, report: ImportReport, filename: str) -> None:
    """One event for the import as a whole (each referral created has its own event too)."""
    with transaction.atomic():
        record(
            actor=by,
            action=Action.CREATE,
            route=AuditRoute.IMPORT,
            detail={
                "referral_import": filename[:200],
                "mode": report.mode,
                "rows": report.rows,
                "created": report.created,
                "duplicates": report.duplicates,
                "invalid": report.invalid,
                "file_error": bool(report.file_errors),
            },
        )
