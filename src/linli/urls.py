"""URL map: web pages, the admin and the REST API under /api/v1/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from linli.aftercare import api as aftercare_api
from linli.consultation import survey_api, visit_api, vote_api
from linli.core import audit_api
from linli.core.api import router
from linli.elevators import api as elevator_api
from linli.elevators import document_api as elevator_document_api
from linli.registry import api as registry_api
from linli.renewal import api as renewal_api
from linli.renewal import progress_api, report_api, supervision_api

# Each app registers its viewsets on the shared router when its api module is imported.
API_MODULES = (
    registry_api,
    renewal_api,
    supervision_api,
    progress_api,
    report_api,
    vote_api,
    survey_api,
    visit_api,
    elevator_api,
    elevator_document_api,
    aftercare_api,
    audit_api,
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("linli.accounts.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(router.urls)),
    path("registry/import/", include("linli.registry.import_urls")),
    path("registry/", include("linli.registry.urls")),
    path("renewal/", include("linli.renewal.urls")),
    path("consultation/", include("linli.consultation.urls")),
    path("elevators/", include("linli.elevators.urls")),
    path("aftercare/", include("linli.aftercare.urls")),
    path("history/", include("linli.core.urls")),
    path("", include("linli.web.urls")),
]
