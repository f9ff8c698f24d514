"""Downloads of the generated case documents (.docx) and who may fetch them.

Staff who see the case (through the scoping layer, in a compound they run) get every document.
A resident of the pool gets the public notice and the bill and running-cost statement of their
own dwelling; anything else answers 404, like a case outside the scope. Generating a document
is a read: nothing is written and nothing is audited. The API (``document_api``) serves the
same files through :func:`document_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import View

from linli.consultation.vote_reads import dwelling_label, vote_compounds
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.elevators import documents
from linli.elevators.document_parts import CONTENT_TYPE
from linli.elevators.models import CaseDwelling, ElevatorCase, RunningCostYear

BILLS, BILL, AGREEMENT, NOTICE, RUNNING = "bills", "bill", "agreement", "notice", "running"
#: Documents of the whole pool, for staff over the compound only.
STAFF_ONLY = frozenset({BILLS, AGREEMENT})


@dataclass(frozen=True)
class Access:
    """What ``user`` may fetch of one case: everything (staff) or their own dwellings' rows."""

    case: ElevatorCase
    staff: bool
    own: frozenset[int]

    def require_staff(self) -> None:
        if not self.staff:
            raise Http404

    def require_dwelling(self, dwelling_id: int) -> None:
        if not (self.staff or dwelling_id in self.own):
            raise Http404


def access(user: Any, pk: int) -> Access:
    """The case (404 outside the user's scope) and how far the user reaches into it."""
    case = get_scoped_or_404(
        ElevatorCase.objects.select_related("compound", "subsidy_rule"), user, pk=pk
    )
    staff = vote_compounds(user).filter(pk=case.compound_id).exists()
    own: frozenset[int] = frozenset()
    if not staff:
        # A resident's scope holds only their own rows of the pool.
        own = frozenset(
            scoped(CaseDwelling.objects.filter(case=case), user).values_list(
                "dwelling_id", flat=True
            )
        )
        if not own:
            raise Http404
    return Access(case=case, staff=staff, own=own)


@dataclass(frozen=True)
class DocumentFile:
    """A generated document: its bytes, a readable (Chinese) name and an ASCII fallback."""

    body: bytes
    name: str
    fallback: str

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(self.name, self.fallback)
        return response


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def content_disposition(name: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 one (RFC 5987/6266), which
    browsers prefer, so Chinese names survive every client."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _name(case: ElevatorCase, *parts: str) -> str:
    return _UNSAFE.sub("_", "-".join([case.title, *parts])) + ".docx"


def document_file(
    user: Any, pk: int, kind: str, *, dwelling_id: int | None = None, year: int | None = None
) -> DocumentFile:
    """The document ``kind`` of case ``pk`` for ``user`` (Http404 when out of reach; ``Invalid``
    when the stored plan cannot be shared)."""
    if kind in STAFF_ONLY and not vote_compounds(user).exists():
        # Residents and property companies never get these, whichever case: 403 for every id.
        raise PermissionDenied
    reach = access(user, pk)
    case = reach.case
    if kind == BILLS:
        reach.require_staff()
        body = documents.bill_docx(case, user=user)
        return DocumentFile(body, _name(case, _("费用分摊通知单")), f"elevator-{pk}-bills.docx")
    if kind == BILL:
        assert dwelling_id is not None
        reach.require_dwelling(dwelling_id)
        row = (
            CaseDwelling.objects.filter(case=case, dwelling_id=dwelling_id)
            .select_related("dwelling__stairwell__building")
            .first()
        )
        if row is None:
            raise Http404
        body = documents.bill_docx(case, user=user, dwelling_ids=[dwelling_id])
        name = _name(case, dwelling_label(row.dwelling), _("费用分摊通知单"))
        return DocumentFile(body, name, f"elevator-{pk}-bill-{dwelling_id}.docx")
    if kind == AGREEMENT:
        reach.require_staff()
        body = documents.agreement_docx(case, user=user)
        return DocumentFile(body, _name(case, _("费用分摊协议")), f"elevator-{pk}-agreement.docx")
    if kind == NOTICE:
        body = documents.notice_docx(case)
        return DocumentFile(body, _name(case, _("公示")), f"elevator-{pk}-notice.docx")
    if kind == RUNNING:
        assert year is not None
        # Running-cost years are staff records; a resident reaches the year through their own
        # row of the pool (checked by ``access``) and gets only that row.
        years = scoped(RunningCostYear, user) if reach.staff else RunningCostYear.objects.all()
        found = years.filter(case=case, year=year).first()
        if found is None:
            raise Http404
        found.case = case
        wanted = None if reach.staff else sorted(reach.own)
        body = documents.running_statement_docx(found, user=user, dwelling_ids=wanted)
        name = _name(case, _("%(year)s年度运行费用分摊表") % {"year": year})
        return DocumentFile(body, name, f"elevator-{pk}-running-{year}.docx")
    raise Http404


def refused(exc: Invalid) -> HttpResponse:
    """The plan cannot be shared as stored: say why (409) instead of a broken document."""
    return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")


class DocumentView(LoginRequiredMixin, View):
    """One generated document of a case as a download (``kind`` set in the URL map)."""

    kind = NOTICE
    model = ElevatorCase

    def get(
        self, request: HttpRequest, pk: int, dwelling_pk: int | None = None, year: int | None = None
    ) -> HttpResponse:
        try:
            found = document_file(request.user, pk, self.kind, dwelling_id=dwelling_pk, year=year)
        except Invalid as exc:
            return refused(exc)
        return found.response()
