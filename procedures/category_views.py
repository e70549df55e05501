"""手続の分類 (catalogue headings), kept by 所属管理者 with the organisation."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import organisation_administrator_required
from organisation.views import edit_with_service, form_copy
from procedures import services
from procedures.forms import CategoryForm
from procedures.models import Category


@organisation_administrator_required
def category_list(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.annotate(procedure_count=Count("procedures"))
    return render(
        request, "procedures/manage/category_list.html", {"categories": categories}
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk) if pk else None
    form = CategoryForm(request.POST or None, instance=form_copy(category))
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.category_save(
            category=category, **data, actor=request.user, request=request
        ),
        title=_("分類を編集") if pk else _("分類を追加"),
        list_url=reverse("procedures_categories:list"),
        done=_("分類を保存しました。"),
    )
