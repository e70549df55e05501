from django.contrib import admin
from django.urls import include, path

from core.views import healthz
from forms_builder.views import template_download

admin.site.site_header = "電子申請 システム管理"
# An outage of Redis or S3 answers 503 "try again later", anything else 500.
handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Sign-in through an external OpenID Connect provider: always routed,
    # answered only while OIDC_RP_CLIENT_ID is set (see accounts.oidc).
    path("oidc/", include("accounts.oidc")),
    path("accounts/webauthn/", include("accounts.webauthn_urls")),
    path("accounts/", include("accounts.urls")),
    path("staff/", include("accounts.staff_urls")),
    path("manage/", include("accounts.manage_urls")),
    path("manage/forms/", include("forms_builder.urls")),
    # The 様式 a question offers residents (forms_builder.TemplateFile).
    path(
        "forms/templates/<uuid:public_id>/",
        template_download,
        name="form_template_download",
    ),
    path("staff/", include("workflow.urls")),
    path("manage/routes/", include("workflow.manage_urls")),
    path("manage/procedures/", include("procedures.manage_urls")),
    path("manage/records/", include("records.urls")),
    path("manage/tokens/", include("api.manage_urls")),
    path("manage/organisation/categories/", include("procedures.category_urls")),
    path("manage/organisation/webhooks/", include("workflow.webhook_urls")),
    path("manage/organisation/", include("organisation.urls")),
    path("api/", include("api.urls")),
    path("", include("stats.urls")),
    path("opendata/", include("stats.opendata_urls")),
    path("", include("procedures.urls")),
    path("", include("documents.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("core.urls")),
]
