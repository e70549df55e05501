"""Issue 16: document templates are written by administrators in the
browser; a runaway one is stopped after DOCUMENT_TEMPLATE_TIMEOUT_SECONDS and
reported as a template error, not left holding a worker."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from documents.defaults import sample_snapshot
from documents.rendering import RenderTimeout, TemplateSyntaxProblem, render_html
from tests.factories import AdministratorFactory
from tests.second_factor import login_as

# 40⁴ = 2.56 million loop iterations: many seconds unchecked.
RUNAWAY = (
    '{% with s="0123456789012345678901234567890123456789"|make_list %}'
    "{% for a in s %}{% for b in s %}{% for c in s %}{% for d in s %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endwith %}"
)


def _with_approval_text(text: str) -> dict:
    snapshot = sample_snapshot(approved=True)
    snapshot["template"] = {**snapshot.get("template", {}), "approval_text": text}
    return snapshot


def test_runaway_template_is_stopped_at_the_time_limit(settings):
    settings.DOCUMENT_TEMPLATE_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()

    with pytest.raises(RenderTimeout, match=r"0\.5 秒を超えたため中止しました"):
        render_html(_with_approval_text(RUNAWAY))

    assert time.monotonic() - started < 2


def test_ordinary_template_renders_within_the_limit(settings):
    settings.DOCUMENT_TEMPLATE_TIMEOUT_SECONDS = 0.5

    html = render_html(_with_approval_text("{{ procedure.title }}について許可します。"))

    assert "について許可します。" in html


def test_html_too_large_for_layout_is_refused(settings):
    settings.DOCUMENT_MAX_HTML_BYTES = 100_000

    with pytest.raises(TemplateSyntaxProblem, match="大きすぎます"):
        render_html(
            _with_approval_text('{{ number|ljust:"100000"|make_list|join:"x" }}')
        )


@pytest.mark.django_db
def test_preview_of_a_runaway_template_reports_a_template_error(
    client, version, settings
):
    from documents.selectors import template_for_version

    settings.DOCUMENT_TEMPLATE_TIMEOUT_SECONDS = 0.5
    template = template_for_version(version)
    template.approval_text = RUNAWAY
    template.save()
    login_as(client, AdministratorFactory())

    response = client.get(reverse("documents:template_preview", args=[version.pk]))

    assert response.status_code == 400
    assert "秒を超えたため中止しました" in response.content.decode()
