"""``manage.py import_referrals FILE.csv --service CODE [--all-or-nothing] [--language cy|en] [--as USERNAME]``

Checks every row, prints the problems row by row in the chosen language, then imports the valid
rows (or, with ``--all-or-nothing``, nothing unless every row is valid). Columns:
docs/referrals-csv.md.

Exit status: 0 when the import ran (in the default mode some rows may have been left out: they
are listed); 1 when nothing was imported because of errors in the rows (``--all-or-nothing`` with
any invalid row, or every row invalid); 2 when the file cannot be read or its header row is wrong,
or the service or user is unknown.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from accounts.models import Organisation, OrganisationType, Role, User
from referrals import importer

EXIT_ROW_ERRORS = 1
EXIT_FILE_ERROR = 2


class Command(BaseCommand):
    help = "Import referrals from a CSV file (English or Welsh column headers; see docs/referrals-csv.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8, with or without BOM, or Windows-1252)")
        parser.add_argument("--service", required=True, help="code of the service receiving the referrals")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="import nothing unless every row is valid (default: import the valid rows)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the report (default: the user's, else English)",
        )
        parser.add_argument(
            "--as", dest="username", help="the service manager or duty worker the import is recorded as"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self,
        *args,
        file: str,
        service: str,
        all_or_nothing: bool,
        language: str | None,
        username: str | None,
        no_progress: bool,
        **options,
    ):
        with translation.override(language or settings.LANGUAGE_CODE):
            user = self._user(username)
        language = language or (user.preferred_language if user else None) or settings.LANGUAGE_CODE
        with translation.override(language):
            target = self._service(service, user)
            path = Path(file)
            try:
                raw = path.read_bytes()
            except OSError as problem:
                raise CommandError(
                    _("The file %(file)s could not be opened: %(problem)s")
                    % {"file": file, "problem": problem.strerror or problem},
                    returncode=EXIT_FILE_ERROR,
                ) from None

            def progress(description: str, total: int) -> tqdm:
                return tqdm(
                    total=total, desc=description, unit=_("rows"), file=sys.stderr, disable=no_progress, leave=False
                )

            report = importer.run_import(
                raw,
                service=target,
                mode=importer.ALL_OR_NOTHING if all_or_nothing else importer.VALID_ONLY,
                by=user,
                language=language,
                progress=progress,
                filename=path.name,
            )
            self._print(report)
            if report.file_errors:
                raise CommandError(
                    _("Nothing was imported: the file cannot be imported as it is."), returncode=EXIT_FILE_ERROR
                )
            if report.blocked:
                raise CommandError(_("Nothing was imported because of the errors above."), returncode=EXIT_ROW_ERRORS)

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).select_related("organisation").first()
        if user is None:
            raise CommandError(
                _("There is no active user called %(username)s.") % {"username": username}, returncode=EXIT_FILE_ERROR
            )
        return user

    def _service(self, code: str, user: User | None) -> Organisation:
        service = Organisation.objects.filter(code=code, type=OrganisationType.SERVICE, is_active=True).first()
        if service is None:
            raise CommandError(
                _("There is no service with the code %(code)s.") % {"code": code}, returncode=EXIT_FILE_ERROR
            )
        if user is not None and (
            user.organisation_id != service.pk or user.role not in (Role.SERVICE_MANAGER, Role.DUTY_WORKER)
        ):
            raise CommandError(
                _("%(user)s is not a service manager or duty worker of %(service)s.")
                % {"user": user.username, "service": service.name},
                returncode=EXIT_FILE_ERROR,
            )
        return service

    def _print(self, report: importer.ImportReport) -> None:
        for message in report.file_errors:
            self.stdout.write(message)
        for error in report.errors:
            if error.column:
                line = _("Row %(row)s, column %(column)s: %(message)s") % {
                    "row": error.row,
                    "column": error.column,
                    "message": error.message,
                }
            else:
                line = _("Row %(row)s: %(message)s") % {"row": error.row, "message": error.message}
            self.stdout.write(line)
        if report.file_errors:
            return
        if report.mode == importer.ALL_OR_NOTHING and report.invalid:
            self.stdout.write(
                _("All or nothing: nothing was imported. Valid rows: %(valid)s. Rows with errors: %(invalid)s.")
                % {"valid": report.valid, "invalid": report.invalid}
            )
            return
        self.stdout.write(
            _(
                "Referrals created: %(created)s. Already present: %(duplicates)s. Rows with errors (not imported): %(invalid)s."
            )
            % {"created": report.created, "duplicates": report.duplicates, "invalid": report.invalid}
        )
