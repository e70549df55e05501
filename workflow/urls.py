from django.urls import path

from workflow import (
    deadline_views,
    notification_views,
    queue_views,
    search_views,
    views,
)

app_name = "workflow"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/claim/", queue_views.inbox_claim, name="inbox_claim"),
    path("inbox/approve/", queue_views.inbox_approve, name="inbox_approve"),
    path("search/", search_views.case_search, name="case_search"),
    path("search/assign/", queue_views.search_assign, name="search_assign"),
    path(
        "notifications/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path(
        "search/export.csv",
        search_views.case_search_export,
        name="case_search_export",
    ),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path(
        "cases/<uuid:public_id>/tasks/<int:task_id>/claim/",
        views.task_claim,
        name="task_claim",
    ),
    path(
        "cases/<uuid:public_id>/tasks/<int:task_id>/release/",
        views.task_release,
        name="task_release",
    ),
    path(
        "cases/<uuid:public_id>/tasks/<int:task_id>/decide/",
        views.task_decide,
        name="task_decide",
    ),
    path(
        "cases/<uuid:public_id>/extend/",
        deadline_views.case_extend,
        name="case_extend",
    ),
    path(
        "cases/<uuid:public_id>/pull-back/", views.case_pull_back, name="case_pull_back"
    ),
    path(
        "cases/<uuid:public_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "cases/<uuid:public_id>/document/",
        views.document_download,
        name="document_download",
    ),
    path(
        "cases/<uuid:public_id>/document/retry/",
        views.document_retry,
        name="document_retry",
    ),
    path(
        "cases/<uuid:public_id>/document/mailing/",
        views.document_mailing,
        name="document_mailing",
    ),
    path(
        "cases/<uuid:public_id>/draft.pdf",
        views.case_draft_preview,
        name="case_draft_preview",
    ),
    path("post-reviews/<int:pk>/", views.post_review_done, name="post_review_done"),
]
