"""A bare page showing one page form, for the browser tests (tests only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines

from forms_builder.runtime import FormRuntime

# Set by the test before the browser loads the page (same process as the
# live server's thread).
CURRENT: dict[str, Any] = {"definition": None, "answers": {}}

PAGE = engines["django"].from_string(
    """{% load static %}<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{% static 'vendor/bootstrap/bootstrap.min.css' %}">
<link rel="stylesheet" href="{% static 'css/site.css' %}"></head>
<body><main class="container py-3"><form method="post" enctype="multipart/form-data" novalidate>
{% csrf_token %}{% include "forms_builder/page_form.html" %}
<button type="submit" class="btn btn-primary" name="next">次へ進む</button></form></main></body></html>"""
)


def page_form_view(request: HttpRequest, index: int) -> HttpResponse:
    runtime = FormRuntime(CURRENT["definition"])
    form = runtime.page_form(
        index,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
        answers=CURRENT["answers"],
        existing_files={},
    )
    if request.method == "POST" and form.is_valid():
        CURRENT["submitted"] = form.page_answers()
    return HttpResponse(PAGE.render({"form": form}, request))
