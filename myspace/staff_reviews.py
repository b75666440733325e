"""Staff pages of the access reviews: the list of space accounts due for review (the service's
managers and the lead practitioner), and a young person's reviews, where a manager keeps an
account (why, next review) or ends it. Thin: the rules are in ``myspace.reviews``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.models import Route
from audit.services import record_list
from core.forms import add_service_errors
from core.http import AuthenticatedHttpRequest
from myspace import reviews
from myspace.forms import KeepAccessForm
from myspace.models import AccessReview
from people.access import get_visible_or_404, record_page_opened
from people.models import Child

LIST_ROWS = 200


def due(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every space account waiting for a decision, oldest first. Names children: one LIST event."""
    rows = list(reviews.reviews_for(request.user)[:LIST_ROWS])
    record_list(actor=request.user, page="space_access:reviews", children=[r.child_id for r in rows], route=Route.UI)
    return render(request, "myspace/reviews/due.html", {"reviews": rows})


def child_reviews(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    kid = get_visible_or_404(request, Child.objects.visible_to(request.user), pk=child_pk)
    waiting = list(
        AccessReview.objects.visible_to(request.user)
        .filter(child=kid, decided_at__isnull=True, account__revoked_at__isnull=True)
        .select_related("account__user", "account__related_person")
    )
    may_decide = reviews.may_decide(request.user, kid)
    forms = {review.pk: KeepAccessForm(prefix=f"review-{review.pk}") for review in waiting}
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        review = next((r for r in waiting if str(r.pk) == request.POST.get("review")), None)
        if review is None:
            raise Http404
        if request.POST.get("decision") == "end":
            reviews.end(by=request.user, review=review)
            messages.success(request, _("Their access has ended. They have been signed out."))
            return redirect("space_access:reviews_child", child_pk=kid.pk)
        form = forms[review.pk] = KeepAccessForm(request.POST, prefix=f"review-{review.pk}")
        if form.is_valid():
            try:
                reviews.keep(
                    by=request.user,
                    review=review,
                    why=form.cleaned_data["why"],
                    next_review_on=form.cleaned_data["next_review_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("They keep their access until the next review."))
                return redirect("space_access:reviews_child", child_pk=kid.pk)
    record_page_opened(request, kid, page="space_access:reviews_child")
    context = {
        "child": kid,
        "rows": [(review, forms[review.pk]) for review in waiting],
        "may_decide": may_decide,
    }
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render(request, "myspace/reviews/child.html", context, status=status)
