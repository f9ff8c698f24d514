"""URLs of the generated documents (bills, agreement, public notice, running-cost statements)."""

from django.urls import URLPattern, path

from linli.elevators import document_views as v

urlpatterns: list[URLPattern] = [
    path("<int:pk>/bills.docx", v.DocumentView.as_view(kind=v.BILLS), name="case_bills"),
    path(
        "<int:pk>/bills/<int:dwelling_pk>.docx",
        v.DocumentView.as_view(kind=v.BILL),
        name="case_bill",
    ),
    path(
        "<int:pk>/agreement.docx", v.DocumentView.as_view(kind=v.AGREEMENT), name="case_agreement"
    ),
    path("<int:pk>/notice.docx", v.DocumentView.as_view(kind=v.NOTICE), name="case_notice"),
    path(
        "<int:pk>/running/<int:year>.docx",
        v.DocumentView.as_view(kind=v.RUNNING),
        name="case_running",
    ),
]
