"""Loading a framework from data (the shipped ``framework_data.STARTING``, or a service's own
JSON file of the same shape): validated first, then written in one transaction and made the
current framework. Earlier frameworks stay, with the rounds made with them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

_BILINGUAL = {
    "framework": ("name", "description"),
    "level": ("name", "description"),
    "domain": ("name",),
    "statement": ("text",),
}


def _require(item: dict[str, Any], kind: str, where: str, errors: list[str]) -> None:
    for field in _BILINGUAL[kind]:
        for language in ("en", "cy"):
            if not str(item.get(f"{field}_{language}", "")).strip():
                errors.append(f"{where}: {field}_{language} is missing (Welsh and English are both required)")


def validate(data: dict[str, Any]) -> None:
    """Raise ``ValidationError`` listing every problem in ``data`` (nothing is written)."""
    errors: list[str] = []
    for key in ("code", "version"):
        if not str(data.get(key, "")).strip():
            errors.append(f"framework: {key} is missing")
    _require(data, "framework", "framework", errors)
    levels = data.get("levels") or []
    values = [level.get("value") for level in levels]
    if len(levels) < 2:
        errors.append("a framework needs at least two levels")
    if sorted(v for v in values if isinstance(v, int)) != list(range(1, len(levels) + 1)):
        errors.append("level values must be 1, 2, 3… with none missing or repeated")
    for level in levels:
        _require(level, "level", f"level {level.get('value')}", errors)
    domains = data.get("domains") or []
    if not domains:
        errors.append("a framework needs at least one domain")
    codes: set[str] = set()
    for domain in domains:
        code = str(domain.get("code", ""))
        if not code or code in codes:
            errors.append(f"domain {code!r}: codes must be given and different")
        codes.add(code)
        _require(domain, "domain", f"domain {code}", errors)
        statements = domain.get("statements") or []
        if not statements:
            errors.append(f"domain {code}: needs at least one statement")
        statement_codes = {str(s.get("code", "")) for s in statements}
        if len(statement_codes) != len(statements) or "" in statement_codes:
            errors.append(f"domain {code}: statement codes must be given and different")
        for statement in statements:
            _require(statement, "statement", f"statement {code}/{statement.get('code')}", errors)
    if errors:
        raise ValidationError(errors)


def load(
    data: dict[str, Any], *, framework_model: Any, domain_model: Any, statement_model: Any, level_model: Any
) -> Any:
    """Validate and write ``data``; the models are passed so a migration can use its historical
    ones. Returns the new framework, now current."""
    validate(data)
    with transaction.atomic():
        if framework_model.objects.filter(code=data["code"], version=data["version"]).exists():
            raise ValidationError(f"framework {data['code']} version {data['version']} is already loaded")
        framework_model.objects.filter(is_current=True).update(is_current=False)
        framework = framework_model.objects.create(
            code=data["code"],
            version=data["version"],
            name_en=data["name_en"],
            name_cy=data["name_cy"],
            description_en=data["description_en"],
            description_cy=data["description_cy"],
            is_nyth_reading=bool(data.get("is_nyth_reading", False)),
            is_current=True,
        )
        for level in data["levels"]:
            level_model.objects.create(
                framework=framework,
                value=level["value"],
                name_en=level["name_en"],
                name_cy=level["name_cy"],
                description_en=level["description_en"],
                description_cy=level["description_cy"],
            )
        for order, domain in enumerate(data["domains"], start=1):
            saved = domain_model.objects.create(
                framework=framework,
                code=domain["code"],
                order=order,
                name_en=domain["name_en"],
                name_cy=domain["name_cy"],
                description_en=domain.get("description_en", ""),
                description_cy=domain.get("description_cy", ""),
            )
            for number, statement in enumerate(domain["statements"], start=1):
                statement_model.objects.create(
                    domain=saved,
                    code=statement["code"],
                    order=number,
                    text_en=statement["text_en"],
                    text_cy=statement["text_cy"],
                )
    return framework
