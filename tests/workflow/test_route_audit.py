"""Issue 16: an edit of an approval route is a security event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import AdministratorFactory
from tests.second_factor import verified_login
from tests.workflow.test_routes import EDITOR, _page_form

pytestmark = pytest.mark.django_db


def test_a_route_edit_is_listed_among_the_security_events(client, version, org):
    version.status = "draft"
    version.save(update_fields=["status"])
    admin = AdministratorFactory(email="route-admin@example.jp")
    verified_login(client, admin)
    url = reverse("workflow_manage:route_edit", args=[version.pk])
    # The editor's own page posted back as it stands.
    data = _page_form(client.get(url).content.decode(), EDITOR)

    assert client.post(url, {**data, "action": "save"}).status_code == 302

    page = client.get(
        "/manage/security-events/", {"kind": "workflow.route_edit"}
    ).content.decode()
    assert "決裁ルートの編集" in page
    assert "route-admin@example.jp" in page
