"""``{% help_now_lines %}``: the one way a page shows 999 and the help-now lines (myspace.helpnow).

``layout="list"`` (the default) is a short list, for pages where help comes before or beside
something else (the alert pages, the public feedback pages); ``layout="sections"`` gives each
line its own heading and purpose (the Help now page)."""

from __future__ import annotations

from typing import Any

from django import template

from myspace import helpnow

register = template.Library()


@register.inclusion_tag("myspace/help_now/lines.html")
def help_now_lines(layout: str = "list", heading: bool = True) -> dict[str, Any]:
    return {"lines": helpnow.national_lines(), "sections": layout == "sections", "heading": heading}
