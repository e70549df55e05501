"""The administrators' form builder (staff area, /manage/forms/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.decorators import administrator_required
from core.downloads import private_download
from forms_builder import editing, selectors, services
from forms_builder.builder_forms import (
    CheckForm,
    FieldSettingsForm,
    FieldTypeForm,
    FormCreateForm,
    FormTitleForm,
    ImportForm,
    PageSettingsForm,
    TemplateUploadForm,
    new_field_spec,
)
from forms_builder.computed import formulas
from forms_builder.definition import (
    DefinitionInvalid,
    errors_by_path,
    validations,
    walk,
)
from forms_builder.fieldtypes import FIELD_TYPES, loc
from forms_builder.models import Form, FormVersion, TemplateFile
from forms_builder.runtime import FormRuntime

PREVIEW_SESSION_KEY = "forms_builder_preview"


def _version(code: str, number: int) -> FormVersion:
    try:
        return selectors.form_version_get(code=code, number=number)
    except FormVersion.DoesNotExist:
        raise Http404 from None


def _draft(code: str, number: int) -> FormVersion:
    version = _version(code, number)
    if version.is_published:
        # A published version is a record; editing it would change history.
        raise Http404
    return version


def _errors_by_path(version: FormVersion) -> dict[str, list[str]]:
    return {
        path: [str(error) for error in errors]
        for path, errors in errors_by_path(version.definition).items()
    }


def _node_path(version: FormVersion, key: str, parent_key: str = "") -> str:
    for node in walk(version.definition):
        if node.key == key and (node.in_repeat or "") == parent_key:
            return node.path
    return ""


def _rule_fields(version: FormVersion) -> list:
    """The questions rules may read, repeating groups included (the
    computed-value editor sums their columns; the condition rows skip them)."""
    return [
        node
        for node in walk(version.definition)
        if node.kind == "field" and node.has_answer
    ]


def _save(
    request: HttpRequest, version: FormVersion, definition: dict, summary: str
) -> None:
    services.form_version_update_definition(
        version=version,
        definition=definition,
        actor=request.user,
        summary=summary,
        request=request,
    )


@administrator_required
def form_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "forms_builder/form_list.html", {"forms": selectors.form_list()}
    )


@administrator_required
def form_create(request: HttpRequest) -> HttpResponse:
    form = FormCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = services.form_create(
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
            title_en=form.cleaned_data["title_en"],
            actor=request.user,
            definition=services.starter_definition(**form.first_page()),
            request=request,
        )
        messages.success(request, _("フォームを作成しました。"))
        return redirect("forms_builder:version_edit", code=created.code, number=1)
    return render(request, "forms_builder/form_create.html", {"form": form})


@administrator_required
def form_detail(request: HttpRequest, code: str) -> HttpResponse:
    form_obj = get_object_or_404(Form, code=code)
    title_form = FormTitleForm(request.POST or None, instance=form_obj, prefix="title")
    if request.method == "POST" and title_form.is_valid():
        services.form_update(
            form=form_obj,
            title=title_form.cleaned_data["title"],
            title_en=title_form.cleaned_data["title_en"],
            actor=request.user,
            request=request,
        )
        messages.success(request, _("フォーム名を保存しました。"))
        return redirect(form_obj)
    versions = list(selectors.form_versions(form=form_obj))
    return render(
        request,
        "forms_builder/form_detail.html",
        {
            "form_obj": form_obj,
            "versions": versions,
            "has_draft": any(not v.is_published for v in versions),
            "title_form": title_form,
            "import_form": ImportForm(),
        },
    )


@administrator_required
@require_POST
def draft_create(request: HttpRequest, code: str) -> HttpResponse:
    form_obj = get_object_or_404(Form, code=code)
    draft = services.form_version_create_draft(
        form=form_obj, actor=request.user, request=request
    )
    messages.success(
        request, _("第%(n)s版の下書きを作成しました。") % {"n": draft.number}
    )
    return redirect(draft)


@administrator_required
@require_POST
def form_import(request: HttpRequest, code: str) -> HttpResponse:
    form_obj = get_object_or_404(Form, code=code)
    import_form = ImportForm(request.POST, request.FILES)
    problems: list[str] = []
    if import_form.is_valid():
        try:
            draft = services.form_version_import(
                form=form_obj,
                definition=import_form.cleaned_data["definition"],
                actor=request.user,
                request=request,
            )
        except DefinitionInvalid as invalid:
            problems = [str(error) for error in invalid.errors]
        else:
            messages.success(
                request,
                _("定義を第%(n)s版の下書きに読み込みました。") % {"n": draft.number},
            )
            return redirect(draft)
    versions = list(selectors.form_versions(form=form_obj))
    return render(
        request,
        "forms_builder/form_detail.html",
        {
            "form_obj": form_obj,
            "versions": versions,
            "has_draft": any(not v.is_published for v in versions),
            "title_form": FormTitleForm(instance=form_obj, prefix="title"),
            "import_form": import_form,
            "import_problems": problems,
        },
        status=400,
    )


@administrator_required
def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _version(code, number)
    errors = _errors_by_path(version)
    nodes = walk(version.definition)
    return render(
        request,
        "forms_builder/version_edit.html",
        {
            "version": version,
            "form_obj": version.form,
            "pages": [node for node in nodes if node.kind == "page"],
            "errors": errors,
            "error_count": sum(len(v) for v in errors.values()),
            "global_errors": errors.get("", []),
            "field_types": FIELD_TYPES,
            "checks": _check_rows(version),
            "formulas": formulas(nodes),
            "page_form": PageSettingsForm(
                spec={}, rule_fields=[], taken=set(), prefix="newpage"
            ),
        },
    )


def _check_rows(version: FormVersion) -> list[dict[str, Any]]:
    """The checks as the version page lists them: field label and message."""
    labels = {node.key: node.label for node in walk(version.definition)}
    well_formed = validations(version.definition)
    stored = version.definition.get("validations")
    return [
        {
            "index": index,
            "field": check["field"],
            "label": labels.get(check["field"], check["field"]),
            "message": loc(check.get("message")),
        }
        for index, check in enumerate(stored if isinstance(stored, list) else [])
        if any(check is good for good in well_formed)
    ]


@administrator_required
def version_export(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _version(code, number)
    response = JsonResponse(
        version.definition, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{code}-v{number}.json"'
    return response


@administrator_required
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _draft(code, number)
    try:
        services.form_version_publish(
            version=version, actor=request.user, request=request
        )
    except DefinitionInvalid:
        messages.error(
            request,
            _("定義に誤りがあるため公開できません。各項目の表示を確認してください。"),
        )
        return redirect(version)
    messages.success(
        request,
        _("第%(n)s版を公開しました。この版はもう変更できません。") % {"n": number},
    )
    return redirect(version.form)


@administrator_required
@require_POST
def version_discard(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _draft(code, number)
    try:
        services.form_version_discard(
            version=version, actor=request.user, request=request
        )
    except ProtectedError:
        messages.error(request, _("手続で使われている版は削除できません。"))
        return redirect(version)
    messages.success(request, _("下書きを削除しました。"))
    return redirect("forms_builder:form_detail", code=code)


# --- pages ------------------------------------------------------------------


@administrator_required
@require_POST
def page_add(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _draft(code, number)
    taken = editing.all_keys(version.definition)
    form = PageSettingsForm(
        request.POST,
        spec={},
        rule_fields=_rule_fields(version),
        taken=taken,
        prefix="newpage",
    )
    if form.is_valid():
        changes = {k: v for k, v in form.changes().items() if v is not None}
        if not form.errors:
            definition = editing.page_add(
                version.definition, page={**changes, "fields": []}
            )
            _save(request, version, definition, f"page_add {changes['key']}")
            messages.success(request, _("ページを追加しました。"))
            return redirect(version)
    messages.error(
        request,
        _("ページを追加できませんでした: %(e)s")
        % {
            "e": " ".join(
                str(message)
                for messages_ in form.errors.values()
                for message in messages_
            )
        },
    )
    return redirect(version)


@administrator_required
def page_edit(request: HttpRequest, code: str, number: int, key: str) -> HttpResponse:
    version = _draft(code, number)
    try:
        spec = editing.find_page(version.definition, key)
    except editing.EditError:
        raise Http404 from None
    taken = editing.all_keys(version.definition)
    form = PageSettingsForm(
        request.POST or None, spec=spec, rule_fields=_rule_fields(version), taken=taken
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not form.errors:
            definition = editing.page_update(
                version.definition, key=key, changes=changes
            )
            _save(request, version, definition, f"page_update {key}")
            messages.success(request, _("ページを保存しました。"))
            return redirect(f"{version.get_absolute_url()}#page-{changes['key']}")
    return render(
        request,
        "forms_builder/page_edit.html",
        {
            "version": version,
            "form_obj": version.form,
            "form": form,
            "spec": spec,
            "errors": _errors_by_path(version).get(_node_path(version, key), []),
        },
    )


@administrator_required
@require_POST
def page_action(request: HttpRequest, code: str, number: int, key: str) -> HttpResponse:
    version = _draft(code, number)
    action = request.POST.get("action")
    try:
        if action in {"up", "down"}:
            definition = editing.page_move(
                version.definition, key=key, offset=-1 if action == "up" else 1
            )
        elif action == "remove":
            page = editing.find_page(version.definition, key)
            if page.get("fields"):
                messages.error(
                    request,
                    _(
                        "項目のあるページは削除できません。先に項目を移すか削除してください。"
                    ),
                )
                return redirect(version)
            definition = editing.page_remove(version.definition, key=key)
        else:
            raise editing.EditError(action)
    except editing.EditError:
        messages.error(request, _("その操作はできません。"))
        return redirect(version)
    _save(request, version, definition, f"page_{action} {key}")
    return redirect(f"{version.get_absolute_url()}#page-{key}")


# --- fields -----------------------------------------------------------------


def _add_target(
    version: FormVersion, request: HttpRequest
) -> tuple[dict, dict | None, set[str]]:
    """The page (and group) a field is added to, and the keys it must avoid."""
    page_key = request.GET.get("page") or request.POST.get("page") or ""
    parent_key = request.GET.get("parent") or request.POST.get("parent") or ""
    try:
        page = editing.find_page(version.definition, page_key)
        parent = (
            editing.find_field(version.definition, parent_key) if parent_key else None
        )
    except editing.EditError:
        raise Http404 from None
    taken = editing.all_keys(version.definition)
    if parent is not None and parent.get("type") == "repeat":
        # Columns are named inside their group: only siblings must differ.
        taken = {str(spec.get("key")) for spec in parent.get("fields") or []}
    return page, parent, taken


def _spec_with(spec: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    result = dict(spec)
    for prop, value in changes.items():
        if value is None:
            result.pop(prop, None)
        else:
            result[prop] = value
    return result


def _settings_spec(form: FieldSettingsForm, spec: dict[str, Any]) -> dict[str, Any]:
    """The field as the posted settings describe it, as far as they are valid
    (a preview drawn before the key is typed still shows the label)."""
    if not form.is_bound:
        return spec
    form.is_valid()
    form.cleaned_data.setdefault("key", "")
    try:
        changes = form.changes()
    except (KeyError, TypeError, ValueError):
        return spec
    return _spec_with(spec, {k: v for k, v in changes.items() if k != "key"})


@administrator_required
def field_add(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """Add a field on one screen: its type, then all its settings, with a
    preview of the question as residents will see it."""
    version = _draft(code, number)
    page, parent, taken = _add_target(version, request)
    in_repeat = bool(parent and parent.get("type") == "repeat")
    # Bound only to a chosen type: opened from the editor (?page=…), the
    # screen starts on 短い文字 without a 「必須」 error on 種類.
    chosen = request.POST if request.method == "POST" else request.GET
    type_form = FieldTypeForm(
        chosen if "type" in chosen else None,
        initial={"type": "text"},
        in_repeat=in_repeat,
    )
    type_name = type_form.chosen()
    spec = new_field_spec(type_name)
    retype = "_retype" in request.POST
    if request.method == "POST" and retype:
        # Another type chosen: keep what was typed that every type has.
        spec["key"] = request.POST.get("key", "")
        if type_name != "static":
            spec["label"] = {
                "ja": request.POST.get("label_ja", ""),
                "en": request.POST.get("label_en", ""),
            }
    bound = request.method == "POST" and not retype
    form = FieldSettingsForm(
        request.POST if bound else None,
        spec=spec,
        rule_fields=_rule_fields(version),
        taken=taken,
        in_repeat=in_repeat,
    )
    if bound and form.is_valid():
        changes = form.changes()
        if not form.errors:
            new = _spec_with(spec, changes)
            definition = editing.field_add(
                version.definition,
                page_key=page["key"],
                parent_key=parent["key"] if parent else None,
                spec=new,
            )
            _save(request, version, definition, f"field_add {new['key']}")
            messages.success(
                request, _("項目「%(key)s」を追加しました。") % {"key": new["key"]}
            )
            return redirect(f"{version.get_absolute_url()}#field-{new['key']}")
    return render(
        request,
        "forms_builder/field_add.html",
        {
            "version": version,
            "form_obj": version.form,
            "type_form": type_form,
            "type_name": type_name,
            "form": form,
            "page": page,
            "parent": parent,
            "field_type": FIELD_TYPES[type_name],
            # A form of its own: changes() adds its errors to the form it runs on.
            "preview": _field_preview(
                _settings_spec(
                    FieldSettingsForm(
                        request.POST if bound else None,
                        spec=spec,
                        rule_fields=_rule_fields(version),
                        taken=taken,
                        in_repeat=in_repeat,
                    ),
                    spec,
                )
            ),
        },
    )


@administrator_required
@require_POST
def field_preview(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The preview of a field being added, from its unsaved settings (the
    add screen's script asks for it while the administrator types)."""
    version = _draft(code, number)
    _page, parent, taken = _add_target(version, request)
    in_repeat = bool(parent and parent.get("type") == "repeat")
    type_name = FieldTypeForm(request.POST, in_repeat=in_repeat).chosen()
    spec = new_field_spec(type_name)
    form = FieldSettingsForm(
        request.POST,
        spec=spec,
        rule_fields=_rule_fields(version),
        taken=taken,
        in_repeat=in_repeat,
    )
    return HttpResponse(_field_preview(_settings_spec(form, spec)))


def _field_preview(spec: dict[str, Any]) -> str:
    """One question drawn as on the resident's page (its conditions left out:
    the preview shows it as it looks when shown)."""
    from django.template.loader import render_to_string

    shown = {
        k: v
        for k, v in spec.items()
        if k not in {"show_if", "hide_if", "required_if", "default", "prefill"}
    }
    shown["key"] = "fb_preview"
    if "label" not in shown and spec.get("type") != "static":
        shown["label"] = {"ja": _("（項目名）")}
    if spec.get("type") == "static" and "text" not in shown:
        shown["text"] = {"ja": _("（文章）")}
    definition = {
        "version": 1,
        "pages": [{"key": "preview_page", "title": {"ja": "-"}, "fields": [shown]}],
    }
    try:
        form = FormRuntime(definition).page_form(0, answers={}, existing_files={})
        items = form.items
    except Exception:  # a half-typed setting the runtime cannot draw yet
        return render_to_string("forms_builder/field_preview.html", {"items": []})
    return render_to_string("forms_builder/field_preview.html", {"items": items})


def _find_editable_field(
    version: FormVersion, key: str, parent_key: str
) -> tuple[dict, dict | None]:
    try:
        if parent_key:
            parent = editing.find_field(version.definition, parent_key)
            for spec in parent.get("fields") or []:
                if spec.get("key") == key:
                    return spec, parent
            raise editing.EditError(key)
        return editing.find_field(version.definition, key), None
    except editing.EditError:
        raise Http404 from None


@administrator_required
def field_edit(request: HttpRequest, code: str, number: int, key: str) -> HttpResponse:
    version = _draft(code, number)
    parent_key = request.GET.get("parent", "")
    spec, parent = _find_editable_field(version, key, parent_key)
    in_repeat = bool(parent and parent.get("type") == "repeat")
    if spec.get("type") not in FIELD_TYPES:
        raise Http404
    taken = (
        {str(s.get("key")) for s in parent.get("fields") or []}
        if in_repeat and parent
        else editing.all_keys(version.definition)
    )
    form = FieldSettingsForm(
        request.POST or None,
        spec=spec,
        rule_fields=_rule_fields(version),
        taken=taken,
        in_repeat=in_repeat,
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not form.errors:
            definition = _apply_field_changes(version.definition, key, parent, changes)
            _save(request, version, definition, f"field_update {key}")
            messages.success(
                request,
                _("項目「%(label)s」を保存しました。")
                % {"label": (changes.get("label") or {}).get("ja", key)},
            )
            return redirect(f"{version.get_absolute_url()}#field-{changes['key']}")
    key_errors = _errors_by_path(version).get(
        _node_path(version, key, parent_key if in_repeat else ""), []
    )
    return render(
        request,
        "forms_builder/field_edit.html",
        {
            "version": version,
            "form_obj": version.form,
            "form": form,
            "spec": spec,
            "parent": parent,
            "field_type": FIELD_TYPES[spec["type"]],
            "errors": key_errors,
            "template_form": TemplateUploadForm()
            if spec.get("type") == "file" and not in_repeat
            else None,
            "template_missing": _template_missing(spec),
        },
    )


def _apply_field_changes(
    definition: dict, key: str, parent: dict | None, changes: dict[str, Any]
) -> dict:
    if parent is not None and parent.get("type") == "repeat":
        return editing.column_update(
            definition, parent_key=parent["key"], key=key, changes=changes
        )
    return editing.field_update(definition, key=key, changes=changes)


@administrator_required
@require_POST
def field_action(
    request: HttpRequest, code: str, number: int, key: str
) -> HttpResponse:
    version = _draft(code, number)
    action = request.POST.get("action")
    parent_key = request.POST.get("parent", "")
    definition = version.definition
    offset = -1 if action == "up" else 1
    try:
        if parent_key and action == "remove":
            definition = editing.column_remove(
                definition, parent_key=parent_key, key=key
            )
        elif parent_key and action in {"up", "down"}:
            definition = editing.column_move(
                definition, parent_key=parent_key, key=key, offset=offset
            )
        elif action in {"up", "down"}:
            definition = editing.field_move(definition, key=key, offset=offset)
        elif action == "move" and not parent_key:
            definition = editing.field_move_to_page(
                definition, key=key, page_key=request.POST.get("page", "")
            )
        elif action == "remove":
            definition = editing.field_remove(definition, key=key)
        else:
            raise editing.EditError(action)
    except editing.EditError:
        messages.error(request, _("その操作はできません。"))
        return redirect(version)
    _save(request, version, definition, f"field_{action} {key}")
    if action == "remove":
        messages.success(request, _("項目「%(key)s」を削除しました。") % {"key": key})
    elif action == "move":
        messages.success(
            request,
            _("項目「%(key)s」をページ「%(page)s」の最後に移しました。")
            % {"key": key, "page": request.POST.get("page", "")},
        )
    return redirect(f"{version.get_absolute_url()}#field-{key}")


# --- 様式 (template files) ----------------------------------------------------


@administrator_required
@require_POST
def field_template(
    request: HttpRequest, code: str, number: int, key: str
) -> HttpResponse:
    """Attach a 様式 to a file question of a draft, or take it off."""
    version = _draft(code, number)
    spec, _parent = _find_editable_field(version, key, "")
    if spec.get("type") != "file":
        raise Http404
    back = f"{version.get_absolute_url()}fields/{key}/#template"
    if request.POST.get("action") == "remove":
        services.form_template_detach(
            version=version, field_key=key, actor=request.user, request=request
        )
        messages.success(request, _("様式ファイルを外しました。"))
        return redirect(back)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for message in form.errors.get("file", []):
            messages.error(request, message)
        return redirect(back)
    services.form_template_attach(
        version=version,
        field_key=key,
        upload=form.cleaned_data["file"],
        actor=request.user,
        request=request,
    )
    messages.success(request, _("様式ファイルを登録しました。"))
    return redirect(back)


def _template_missing(spec: dict[str, Any]) -> bool:
    """A 様式 named by the definition but not stored here (a package from
    another installation carries the reference, not the file)."""
    template = spec.get("template") if spec.get("type") == "file" else None
    if not isinstance(template, dict):
        return False
    try:
        return not TemplateFile.objects.filter(public_id=template.get("id")).exists()
    except ValidationError:  # not a UUID
        return True


def template_download(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A 様式, for anyone once a published version offers it (it is the blank
    form the office hands out), for administrators while still a draft's."""
    template = get_object_or_404(TemplateFile, public_id=public_id)
    if not selectors.template_file_published(
        template=template
    ) and not roles.is_administrator(request.user):
        raise Http404
    return private_download(
        lambda: template.file.open("rb"),
        filename=template.original_name,
        content_type=template.content_type or "application/octet-stream",
    )


# --- cross-field checks -----------------------------------------------------


@administrator_required
def check_edit(
    request: HttpRequest, code: str, number: int, index: int | None = None
) -> HttpResponse:
    """Add (no index) or edit one cross-field check of a draft."""
    version = _draft(code, number)
    stored = version.definition.get("validations") or []
    if index is not None and not (
        isinstance(stored, list) and 0 <= index < len(stored)
    ):
        raise Http404
    check = stored[index] if index is not None else {}
    form = CheckForm(
        request.POST or None,
        check=check if isinstance(check, dict) else {},
        rule_fields=_rule_fields(version),
    )
    if request.method == "POST" and form.is_valid():
        new = form.check()
        if not form.errors:
            try:
                if index is None:
                    definition = editing.check_add(version.definition, check=new)
                else:
                    definition = editing.check_update(
                        version.definition, index=index, check=new
                    )
            except editing.EditError:
                raise Http404 from None
            _save(request, version, definition, f"check_save {new['field']}")
            messages.success(request, _("入力チェックを保存しました。"))
            return redirect(f"{version.get_absolute_url()}#checks")
    errors = _errors_by_path(version).get("", [])
    place = _("入力チェック%(n)s") % {"n": (index or 0) + 1}
    return render(
        request,
        "forms_builder/check_edit.html",
        {
            "version": version,
            "form_obj": version.form,
            "form": form,
            "index": index,
            "errors": [
                e for e in errors if index is not None and e.startswith(f"{place}: ")
            ],
        },
    )


@administrator_required
@require_POST
def check_remove(
    request: HttpRequest, code: str, number: int, index: int
) -> HttpResponse:
    version = _draft(code, number)
    try:
        definition = editing.check_remove(version.definition, index=index)
    except editing.EditError:
        raise Http404 from None
    _save(request, version, definition, f"check_remove {index}")
    messages.success(request, _("入力チェックを削除しました。"))
    return redirect(f"{version.get_absolute_url()}#checks")


# --- preview ----------------------------------------------------------------


@administrator_required
def version_preview(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The real resident form of this version, page by page, in ja or en.

    Answers live in the administrator's session only; files are checked but
    never stored.
    """
    version = _version(code, number)
    language = "en" if request.GET.get("lang") == "en" else "ja"
    with translation.override(language):
        return _preview(request, version, language)


def _preview(request: HttpRequest, version: FormVersion, language: str) -> HttpResponse:
    runtime = version.runtime
    store = request.session.setdefault(PREVIEW_SESSION_KEY, {})
    slot = f"{version.pk}:{version.updated_at.isoformat()}"
    answers: dict[str, Any] = store.get(slot) or runtime.prefill(request.user)
    if request.GET.get("reset"):
        answers = runtime.prefill(request.user)
    visible = runtime.visible_page_indexes(answers)
    if not runtime.pages:
        raise Http404
    try:
        index = int(request.GET.get("page", visible[0] if visible else 0))
    except ValueError:
        index = 0
    base = f"?lang={language}"
    if request.GET.get("confirm"):
        return render(
            request,
            "forms_builder/preview.html",
            {
                "version": version,
                "runtime": runtime,
                "sections": runtime.display(runtime.clean(answers)),
                "errors": runtime.validate(runtime.clean(answers)),
                "language": language,
                "base": base,
                "visible": visible,
                "current": None,
            },
        )
    if index not in range(len(runtime.pages)):
        raise Http404
    files_by_key = {
        key: value for key, value in answers.items() if isinstance(value, list)
    }
    if request.method == "POST":
        form = runtime.page_form(
            index,
            data=request.POST,
            files=request.FILES,
            answers=answers,
            existing_files=files_by_key,
        )
        if form.is_valid():
            answers = {**answers, **form.page_answers()}
            for key, uploads in form.new_files().items():
                refs = list(answers.get(key) or [])
                for n, upload in enumerate(uploads):
                    refs.append(
                        {
                            "id": -(len(refs) + n + 1),
                            "name": upload.name,
                            "size": upload.size,
                            "content_type": "",
                        }
                    )
                answers[key] = refs
            answers = runtime.clean(answers)
            store[slot] = answers
            request.session.modified = True
            later = [i for i in runtime.visible_page_indexes(answers) if i > index]
            if "back" in request.POST:
                earlier = [
                    i for i in runtime.visible_page_indexes(answers) if i < index
                ]
                return redirect(f"{base}&page={earlier[-1] if earlier else index}")
            if later:
                return redirect(f"{base}&page={later[0]}")
            return redirect(f"{base}&confirm=1")
    else:
        form = runtime.page_form(index, answers=answers, existing_files=files_by_key)
    return render(
        request,
        "forms_builder/preview.html",
        {
            "version": version,
            "runtime": runtime,
            "form": form,
            "language": language,
            "base": base,
            "visible": visible,
            "current": index,
            "shown_pages": [runtime.pages[i] for i in visible],
        },
    )


@administrator_required
@require_POST
def preview_reset(request: HttpRequest, code: str, number: int) -> HttpResponse:
    request.session.pop(PREVIEW_SESSION_KEY, None)
    return redirect(
        f"{_version(code, number).get_absolute_url()}preview/?lang={request.GET.get('lang', 'ja')}"
    )
