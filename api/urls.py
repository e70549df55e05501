from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.views import public, residents, staff, tokens

v1 = [
    path("procedures/", residents.ProcedureList.as_view(), name="procedures"),
    path(
        "procedures/<slug:code>/",
        residents.ProcedureDetail.as_view(),
        name="procedure",
    ),
    path(
        "applications/",
        residents.ApplicationListCreate.as_view(),
        name="applications",
    ),
    path(
        "applications/<uuid:public_id>/",
        residents.ApplicationDetail.as_view(),
        name="application",
    ),
    path(
        "applications/<uuid:public_id>/attachments/",
        residents.AttachmentUpload.as_view(),
        name="attachments",
    ),
    path(
        "applications/<uuid:public_id>/attachments/<int:attachment_id>/",
        residents.AttachmentDownload.as_view(),
        name="attachment",
    ),
    path(
        "applications/<uuid:public_id>/submit/",
        residents.ApplicationSubmit.as_view(),
        name="submit",
    ),
    path(
        "applications/<uuid:public_id>/withdraw/",
        residents.ApplicationWithdraw.as_view(),
        name="withdraw",
    ),
    path(
        "applications/<uuid:public_id>/documents/<uuid:document_id>/",
        residents.ApplicationDocument.as_view(),
        name="document",
    ),
    path("staff/tasks/", staff.TaskList.as_view(), name="tasks"),
    path(
        "staff/tasks/bulk-approve/",
        staff.TaskBulkApprove.as_view(),
        name="tasks_bulk_approve",
    ),
    path("staff/cases/<uuid:public_id>/", staff.CaseDetail.as_view(), name="case"),
    path(
        "staff/cases/<uuid:public_id>/attachments/<int:attachment_id>/",
        staff.CaseAttachment.as_view(),
        name="case_attachment",
    ),
    path(
        "staff/cases/<uuid:public_id>/tasks/<int:task_id>/claim/",
        staff.TaskClaim.as_view(),
        name="claim",
    ),
    path(
        "staff/cases/<uuid:public_id>/tasks/<int:task_id>/release/",
        staff.TaskRelease.as_view(),
        name="release",
    ),
    path(
        "staff/cases/<uuid:public_id>/tasks/<int:task_id>/decide/",
        staff.TaskDecide.as_view(),
        name="decide",
    ),
    path(
        "staff/cases/<uuid:public_id>/document/",
        staff.CaseDocument.as_view(),
        name="case_document",
    ),
    path(
        "staff/cases/<uuid:public_id>/document/mailing/",
        staff.CaseDocumentMailing.as_view(),
        name="case_document_mailing",
    ),
    path(
        "staff/cases/<uuid:public_id>/pull-back/",
        staff.CasePullBack.as_view(),
        name="pull_back",
    ),
    path("staff/post-reviews/", staff.PostReviewList.as_view(), name="post_reviews"),
    path(
        "staff/post-reviews/<int:post_review_id>/",
        staff.PostReviewComplete.as_view(),
        name="post_review",
    ),
    path("verify/", public.VerifyUpload.as_view(), name="verify"),
    path("verify/<token:token>/", public.VerifyToken.as_view(), name="verify_token"),
    path("tokens/", tokens.TokenListCreate.as_view(), name="tokens"),
    path("tokens/<int:token_id>/", tokens.TokenRevoke.as_view(), name="token"),
]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("tokens/", tokens.tokens_page, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke_page, name="token_revoke"),
]
