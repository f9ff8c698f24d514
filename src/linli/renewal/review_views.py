"""Joint-review pages: the sign-offs waiting for the user, and the form to sign one.

A department's user signs its own department's reviews; the district office may record a
sign-off on a department's behalf (``linli.renewal.services.can_decide``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from linli.core.scoping import get_scoped_or_404
from linli.renewal import forms as f
from linli.renewal import selectors, services
from linli.renewal.models import Review
from linli.renewal.views import PAGE_SIZE, FormPage


class ReviewListView(LoginRequiredMixin, ListView):
    """The sign-offs waiting for the user (their department's, or on a department's behalf)."""

    model = Review
    template_name = "renewal/review_list.html"
    context_object_name = "reviews"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Review]:
        reviews = selectors.reviews_to_sign(self.request.user).order_by("due_on", "pk")
        if self.request.GET.get("overdue"):
            reviews = reviews.filter(pk__in=Review.objects.overdue().values("pk"))
        return reviews


class ReviewDecideView(LoginRequiredMixin, FormPage):
    """Approve or reject one sign-off."""

    model = Review
    template_name = "renewal/review_decide.html"
    title = _("联审审批")
    review: Review

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.review = get_scoped_or_404(
            Review.objects.select_related("project", "department"), request.user, pk=kwargs["pk"]
        )
        self.project = self.review.project
        if not services.can_decide(request.user, self.review):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, form: forms.BaseForm) -> HttpResponse:
        context = {"form": form, "review": self.review, "project": self.project}
        return render(self.request, self.template_name, context)

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.ReviewDecisionForm(data)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.decide_review(review=self.review, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, gettext("审批意见已登记"))
        return redirect("renewal:project_detail", pk=self.project.pk)
