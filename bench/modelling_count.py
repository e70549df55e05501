"""Count the screens and submissions an administrator needs to model the demo
procedure (地域福祉活動支援補助金) from nothing, through /manage/ pages only.

The walk builds demo/procedure.py's form (four pages, thirteen questions, the
participants' two columns), the route of workflow/demo.py (five levels, the
専決 amount bands 課長/部長/知事, the 合議 with 財政課 above 10,000,000 yen) and
the grant notice template, then publishes. Every request goes through
Django's test client against a throw-away SQLite database under a temporary
DJANGO_VAR_DIR; only the organisation (sections, positions, the administrator)
and the category are seeded beforehand, as they exist before anyone models a
procedure.

A *screen* is a distinct kind of page the administrator meets (one per view,
drawn as HTML by a GET or redrawn after a POST); *pages drawn* counts every
one of those draws (the page a submission redirects to included); a
*submission* is a POST (a refused one and a button that only redraws the page
included).

The walk runs twice, on a fresh database each time: as a browser with
JavaScript and as one without. The test client runs no script, so the
script's part is modelled from the page itself, as the script does it: the
route editor's new rows are the page's <template> rows numbered as
static/workflow/route_editor.js numbers them, all sent by the one 保存する;
a preset's texts are the ones embedded in the template page
(static/documents/template_edit.js). Where a page offers no script for a
step, both walks take the same path.

Run from a checkout of 8ec1f43 the same walk takes the old pages (OLD): see
docs/modelling.md for the commands and both results.

    .venv/bin/python bench/modelling_count.py [-v]
"""

from __future__ import annotations

import os
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ["DJANGO_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-modelling-")
os.environ.pop("DATABASE_URL", None)  # SQLite in the temporary var dir
os.environ.setdefault(
    "DJANGO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
)
VERBOSE = "-v" in sys.argv
# The pages before issue 12 (run from a checkout of 8ec1f43): set in main().
OLD = False


class _Fields(HTMLParser):
    """The values a browser would send from one form, as drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None
        self._inert = 0  # inside a <template>: never sent

    def _put(self, name: str, value: str, many: bool = False) -> None:
        if many and name in self.data:
            old = self.data[name]
            self.data[name] = (old if isinstance(old, list) else [old]) + [value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "template":
            self._inert += 1
        if self._inert:
            return
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._put(name, a.get("value", "on"), a.get("type") == "checkbox")
            elif a.get("type") != "file":
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first is None:
                self._first = value
                self.data.setdefault(self._select, value)
            if "selected" in a:
                self._put(self._select, value, "multiple" in a)
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._inert -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and not self._inert:
            self.data[self._textarea] += data.lstrip("\n")


def form_data(body: str, marker: str) -> dict[str, Any]:
    """The fields of the form whose opening tag contains ``marker``."""
    start = body.index(marker)
    start = body.rindex("<form", 0, start + 1) if "<form" not in marker else start
    parser = _Fields()
    parser.feed(body[start:].split("</form>", 1)[0])
    return parser.data


def template_rows(body: str, template_id: str, index: int, parent: str = "") -> dict:
    """The fields of a <template> row as route_editor.js adds it: ``__i__``
    numbered ``index``, ``__p__`` the rule it belongs to."""
    start = body.index(f'<template id="{template_id}">')
    html = body[start:].split(">", 1)[1].split("</template>", 1)[0]
    parser = _Fields()
    parser.feed(html.replace("__i__", str(index)).replace("__p__", parent))
    return parser.data


def embedded_json(body: str, element_id: str) -> Any:
    """A json_script element's data, as a page's script reads it."""
    import json

    start = body.index(f'id="{element_id}"')
    return json.loads(body[start:].split(">", 1)[1].split("</script>", 1)[0])


class Walk:
    """The test client, counting what a person sees and sends."""

    def __init__(self, client: Any, *, js: bool) -> None:
        self.client = client
        self.js = js  # a browser running the pages' scripts
        self.drawn: dict[str, str] = {}  # the last page drawn at each address
        self.screens: list[str] = []
        self.posts = 0
        self.views = 0  # every page drawn, the same screen again included
        self.steps: list[tuple[str, int, int]] = []
        self._mark = (0, 0, 0)

    def _seen(self, path: str, response: Any) -> None:
        from django.urls import resolve

        kind = response.get("Content-Type", "")
        drawn = response.status_code in (200, 400) and kind.startswith("text/html")
        if not drawn:
            return
        self.views += 1
        match = resolve(path)
        screen = f"{match.namespace}:{match.url_name}"
        if screen not in self.screens:
            self.screens.append(screen)

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        self._seen(path.split("?")[0], response)
        self.drawn[path] = response.content.decode()
        return self.drawn[path]

    def post(self, path: str, data: dict[str, Any], ok=(302,)) -> Any:
        self.posts += 1
        response = self.client.post(path, data)
        if response.status_code not in ok:
            body = response.content.decode()
            import re

            errors = re.findall(
                r"(?:invalid-feedback|errorlist|alert-danger|text-danger)[^>]*>(.*?)</",
                body,
                re.S,
            )
            location = response.get("Location", "")
            raise AssertionError(
                f"{path} {data} -> {response.status_code} {location}: {errors}"
            )
        self._seen(path.split("?")[0], response)
        return response

    def land(self, response: Any) -> None:
        """The page a submission redirects to, drawn."""
        if response.status_code == 302:
            self.get(response["Location"].split("#")[0])

    def step(self, name: str) -> None:
        mark = (len(self.screens), self.views, self.posts)
        self.steps.append(
            (
                name,
                *(now - before for now, before in zip(mark, self._mark, strict=True)),
            )
        )
        self._mark = mark


def _label(spec: dict[str, Any], name: str) -> dict[str, str]:
    text = spec.get(name) or {}
    return {f"{name}_ja": text.get("ja", ""), f"{name}_en": text.get("en", "")}


def _rule_rows(prefix: str, rule: dict[str, Any]) -> dict[str, str]:
    """A {"==": [{"var": x}, v]} rule as one condition row."""
    ((_op, (var, value)),) = rule.items()
    return {
        prefix: "show_if" if prefix == "visibility" else "conditional",
        f"{'vis' if prefix == 'visibility' else 'req'}_combinator": "all",
        f"{'vis' if prefix == 'visibility' else 'req'}_0_field": var["var"],
        f"{'vis' if prefix == 'visibility' else 'req'}_0_op": "eq",
        f"{'vis' if prefix == 'visibility' else 'req'}_0_value": value,
    }


OPTION_LABELS = {"individual": "個人", "group": "団体"}


def field_post(spec: dict[str, Any], page: str, parent: str | None) -> dict[str, Any]:
    """What the one-screen 項目の追加 sends for a field of DEFINITION."""
    data: dict[str, Any] = {"page": page, "type": spec["type"], "key": spec["key"]}
    if parent:
        data["parent"] = parent
    data.update(_label(spec, "label"))
    if spec.get("help"):
        data.update(_label(spec, "help"))
    if spec.get("prefill"):
        data["prefill"] = spec["prefill"]
    data["requirement"] = "required" if spec.get("required") else "optional"
    if "show_if" in spec:
        data.update(_rule_rows("visibility", spec["show_if"]))
    if "required_if" in spec:
        data.update(_rule_rows("requirement", spec["required_if"]))
    for prop in ("max_length", "min", "max", "min_rows", "max_rows", "max_files"):
        if prop in spec:
            data[prop] = str(spec[prop])
    if spec.get("wareki"):
        data["wareki"] = "on"
    if "options" in spec:
        data["options"] = "\n".join(
            f"{o['value']}|{o['label']['ja']}|{o['label'].get('en', '')}"
            for o in spec["options"]
        )
    if "accept" in spec:
        if OLD:  # the screen offered MIME types
            data["accept"] = spec["accept"]
        else:  # the screen offers kinds (PDF, 画像, ...)
            from forms_builder.fieldtypes import accepted_kinds

            data["accept"] = accepted_kinds(spec["accept"])
        data["max_size_mb"] = str(spec["max_size"] // (1024 * 1024))
    return data


def add_field(
    walk: Walk, edit: str, spec: dict[str, Any], page: str, parent: str | None
) -> None:
    """項目を追加: the add screen opened on the page (and group) with the
    type chosen, every setting filled in on that one screen, then 追加する."""
    settings = field_post(spec, page, parent)
    if OLD:
        # Before: 項目の追加 asked for the type, key and label only, then
        # sent the administrator on to the field's settings screen.
        query = f"?page={page}" + (f"&parent={parent}" if parent else "")
        body = walk.get(f"{edit}fields/add/{query}")
        data = form_data(body, 'name="key"')
        data.update(
            {
                k: v
                for k, v in settings.items()
                if k in ("page", "parent", "type", "key", "label_ja", "label_en")
            }
        )
        response = walk.post(f"{edit}fields/add/", data)
        settings_url = response["Location"]
        data = form_data(walk.get(settings_url), 'class="col-xl-9"')
        data.update(settings)
        for name in ("page", "parent", "type"):
            data.pop(name, None)
        walk.post(settings_url, data)
        return
    # The type is chosen beside 項目を追加 under the page (or the group's
    # 列を追加): a GET form, so the add screen opens with that type's
    # settings, with or without script.
    body = walk.drawn[edit]  # the editor, as the last submission left it
    marker = f'id="add-type-{"in-" + parent if parent else "page-" + page}"'
    chooser = form_data(body, marker)
    assert spec["type"] in _options(body, marker), (spec["type"], marker)
    chooser["type"] = spec["type"]
    query = "&".join(f"{k}={v}" for k, v in chooser.items())
    data = form_data(walk.get(f"{edit}fields/add/?{query}"), 'id="fb-field-add"')
    assert data.get("type") == spec["type"], data.get("type")
    data.update(settings)
    walk.post(f"{edit}fields/add/", data)


def _options(body: str, marker: str) -> list[str]:
    """The values a select (found by ``marker``) offers."""
    import re

    select = body[body.index(marker) :].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def model_the_demo(walk: Walk, org: dict[str, Any]) -> None:
    from demo.procedure import DEFINITION, FORM_CODE, PROCEDURE_CODE, TEXTS
    from forms_builder.models import FormVersion
    from procedures.models import Procedure
    from workflow.demo import FINAL_RULES, LEVELS

    # 1. The form: created, its pages named, every question added, published.
    pages = DEFINITION["pages"]
    first = pages[0]
    walk.get("/manage/")
    walk.get("/manage/forms/")
    data = form_data(walk.get("/manage/forms/new/"), 'name="code"')
    data.update(
        {"code": FORM_CODE, "title": TEXTS["title"], "title_en": TEXTS["title_en"]}
    )
    named = "page_key" in data  # the first page is named on creating the form
    if named:
        data.update(
            {
                "page_key": first["key"],
                "page_title": first["title"]["ja"],
                "page_title_en": first["title"]["en"],
            }
        )
    walk.post("/manage/forms/new/", data)
    edit = f"/manage/forms/{FORM_CODE}/v1/"
    walk.get(edit)
    walk.step("form created")
    if not named:
        # The new form's first page is called page1: renamed on its screen.
        data = form_data(walk.get(f"{edit}pages/page1/"), 'name="key"')
        data.update({"key": first["key"], **_label(first, "title")})
        walk.post(f"{edit}pages/page1/", data)
        walk.get(edit)
    for page in pages[1:]:
        # ページを追加 is a small form on the version's screen.
        data = form_data(walk.drawn[edit], 'name="newpage-key"')
        data.update(
            {
                "newpage-key": page["key"],
                "newpage-title_ja": page["title"]["ja"],
                "newpage-title_en": page["title"]["en"],
            }
        )
        walk.post(f"{edit}pages/add/", data)
        walk.get(edit)
    walk.step("pages named and added")
    for page in pages:
        for spec in page["fields"]:
            add_field(walk, edit, spec, page["key"], None)
            walk.get(edit)  # where 追加する (or the settings' 保存) lands
            for column in spec.get("fields") or []:
                add_field(walk, edit, column, page["key"], spec["key"])
                walk.get(edit)
    walk.step("questions added")
    walk.land(walk.post(f"{edit}publish/", {}))
    version = FormVersion.objects.get(form__code=FORM_CODE, number=1)
    assert version.is_published, "the form did not publish"
    built = version.definition["pages"]
    assert [p["key"] for p in built] == [p["key"] for p in pages]
    for made, wanted in zip(built, pages, strict=True):
        assert [(f["key"], f["type"]) for f in made["fields"]] == [
            (f["key"], f["type"]) for f in wanted["fields"]
        ], (made["fields"], wanted["fields"])
    walk.step("form published")

    # 2. The procedure: its code, category, texts and the form.
    body = walk.get("/manage/procedures/new/")
    data = form_data(body, 'name="procedure-code"')
    data.update(
        {
            "procedure-code": PROCEDURE_CODE,
            "procedure-receipt_prefix": "FK",
            "procedure-category": str(org["category"].pk),
            "version-section": str(org["section"].pk),
            "version-form_version": str(version.pk),
        }
    )
    for key, value in TEXTS.items():
        if f"version-{key}" in data or isinstance(value, str):
            data[f"version-{key}"] = (
                ("on" if value else "") if isinstance(value, bool) else str(value)
            )
    walk.post("/manage/procedures/new/", data)
    procedure = Procedure.objects.get(code=PROCEDURE_CODE)
    pversion = procedure.versions.get()
    detail = f"/manage/procedures/{PROCEDURE_CODE}/"
    walk.get(detail)
    walk.step("procedure created")

    # 3. The route: five levels, the 専決 band, the 合議.
    route = f"/manage/routes/{pversion.pk}/"
    marker = 'class="workflow-route-editor"'
    if OLD:
        edit_route_before(walk, route, org)
    elif walk.js:
        edit_route_js(walk, route, org, marker)
    else:
        edit_route(walk, route, org, marker)
    r = pversion.route
    assert (
        list(r.levels.order_by("order").values_list("position__code", flat=True))
        == LEVELS
    )
    # The band's 'otherwise' (知事) is stored as a third row.
    stored = list(r.final_rules.order_by("order").values_list("rule", flat=True))
    assert stored[:2] == [rule for _label, rule, _code in FINAL_RULES], stored
    assert r.consultations.count() == 1, list(r.consultations.values())
    walk.step("route edited")
    template_and_publish(walk, pversion, detail)


def edit_route(walk: Walk, route: str, org: dict[str, Any], marker: str) -> None:
    """The route editor as rows: levels added by button, the 専決 as an
    amount band, the 合議 as a condition row; one 保存する."""
    from workflow.demo import LEVELS

    data = form_data(walk.get(route), marker)
    positions = org["positions"]

    def press(action: str) -> dict[str, Any]:
        response = walk.post(route, {**data, "action": action}, ok=(200, 400))
        return form_data(response.content.decode(), marker)

    count = int(data.get("levels-count", 0))
    for _ in range(len(LEVELS) - count):
        data = press("level-add")
    for index, code in enumerate(LEVELS):
        data[f"level-{index}-position"] = str(positions[code].pk)
    if "band-subject" not in data:
        data = press("band-add")
    data = press("consult-add")
    n = int(data["consult-count"]) - 1
    if f"consult-{n}-cond-0-subject" not in data:
        data = press(f"consult-{n}-cond-add")
    data.update(_route_values(org, n))
    walk.post(route, {**data, "action": "save"})
    walk.get(route)


def edit_route_js(walk: Walk, route: str, org: dict[str, Any], marker: str) -> None:
    """The route editor with route_editor.js: the levels, the band and the
    合議 with its condition row are added in the page from its <template>
    rows, numbered as the script numbers them; one 保存する sends them."""
    from workflow.demo import LEVELS

    body = walk.get(route)
    data = form_data(body, marker)
    count = int(data.get("levels-count", 0))
    for index in range(count, len(LEVELS)):  # 段階を追加
        data.update(template_rows(body, "route-tpl-level", index))
    data["levels-count"] = str(max(count, len(LEVELS)))
    for index, code in enumerate(LEVELS):
        data[f"level-{index}-position"] = str(org["positions"][code].pk)
    if "band" not in data:  # 金額の区分を使う
        data.update(template_rows(body, "route-tpl-band", 0))
    n = int(data.get("consult-count", 0))  # 合議を追加
    data.update(template_rows(body, "route-tpl-consult", n))
    data["consult-count"] = str(n + 1)
    if f"consult-{n}-cond-0-subject" not in data:  # 条件を追加
        data.update(template_rows(body, "route-tpl-condition", 0, f"consult-{n}"))
        data[f"consult-{n}-conds"] = "1"
    data.update(_route_values(org, n))
    walk.post(route, {**data, "action": "save"})
    walk.get(route)


def _route_values(org: dict[str, Any], n: int) -> dict[str, str]:
    """The band (課長/部長, 知事 otherwise) and the 合議 row ``n`` filled in."""
    from workflow.demo import FINAL_RULES

    positions = org["positions"]
    return {
        "band-subject": "field:amount",
        "band-compare": "<=",
        "band-0-bound": f"{FINAL_RULES[0][1]['<='][1]:,}",
        "band-0-position": str(positions[FINAL_RULES[0][2]].pk),
        "band-1-bound": f"{FINAL_RULES[1][1]['<='][1]:,}",
        "band-1-position": str(positions[FINAL_RULES[1][2]].pk),
        "band-otherwise": str(positions["chiji"].pk),
        f"consult-{n}-section": str(org["finance"].pk),
        f"consult-{n}-position": str(positions["kacho"].pk),
        f"consult-{n}-before": str(positions["chiji"].pk),
        f"consult-{n}-match": "and",
        f"consult-{n}-cond-0-subject": "field:amount",
        f"consult-{n}-cond-0-op": ">",
        f"consult-{n}-cond-0-value": "10,000,000",
    }


def edit_route_before(walk: Walk, route: str, org: dict[str, Any]) -> None:
    """Before: three formsets (levels, 専決, 合議) with one blank row each;
    a row more appears only after 保存, and rules are typed as JSON Logic."""
    import json

    from workflow.demo import FINAL_RULES, LEVELS

    positions = org["positions"]
    levels = list(enumerate(LEVELS))
    rules = list(enumerate(FINAL_RULES))
    consult = [
        {
            "section": str(org["finance"].pk),
            "position": str(positions["kacho"].pk),
            "before_position": str(positions["chiji"].pk),
            "rule": json.dumps({">": [{"var": "amount"}, 10_000_000]}),
        }
    ]
    body = walk.get(route)
    refused_once = False
    while levels or rules or consult:
        data = form_data(body, 'name="levels-TOTAL_FORMS"')
        if levels:
            order, code = levels.pop(0)
            i = int(data["levels-TOTAL_FORMS"]) - 1
            data[f"levels-{i}-order"] = str(order)
            data[f"levels-{i}-position"] = str(positions[code].pk)
        filled_rule = bool(rules)
        blank_rule = f"rules-{int(data['rules-TOTAL_FORMS']) - 1}-DELETE"
        if rules:
            order, (label, rule, code) = rules.pop(0)
            i = int(data["rules-TOTAL_FORMS"]) - 1
            data[f"rules-{i}-order"] = str(order)
            data[f"rules-{i}-label"] = label
            data[f"rules-{i}-rule"] = json.dumps(rule)
            data[f"rules-{i}-position"] = str(positions[code].pk)
        if consult and not levels:
            # 合議 last: once one is stored, every later save would trip on
            # the blank 合議 row the page draws under it.
            i = int(data["consult-TOTAL_FORMS"]) - 1
            for name, value in consult.pop(0).items():
                data[f"consult-{i}-{name}"] = value
        else:
            # A blank 専決 or 合議 row is refused as incomplete unless ticked
            # 削除 (its empty rule reads as changed): the administrator
            # learns it from the first refusal and ticks them from then on.
            blank = f"consult-{int(data['consult-TOTAL_FORMS']) - 1}-DELETE"
            if not refused_once:
                refused_once = True
                walk.post(route, data, ok=(400,))
            data[blank] = "on"
        if not filled_rule:
            data[blank_rule] = "on"
        walk.post(route, data)
        body = walk.get(route)


def template_and_publish(walk: Walk, pversion: Any, detail: str) -> None:
    from documents.defaults import PRESETS

    # 4. The notice: the grant preset, its number symbol, the fields it prints.
    template = f"/manage/documents/{pversion.pk}/"
    data = form_data(walk.get(template), 'name="preset"')
    if OLD:
        # Before: choosing 補助金 did not bring its wording; the texts were
        # typed (pasted) into the same form, the fields as keys, one a line.
        data.update(PRESETS["grant"])
        data["preset"] = "grant"
        data["number_symbol"] = "福政"
        data["shown_fields_text"] = "project_title\nstart_date\namount"
        walk.post(template, data)
        walk.get(template)
        walk.step("notice template set")
        publish_procedure(walk, pversion, detail)
        return
    data["preset"] = "grant"
    if walk.js:
        # template_edit.js fills the wording on choosing, from the presets'
        # texts embedded in the page.
        data.update(embedded_json(walk.drawn[template], "document-presets")["grant"])
    else:
        data["_apply_preset"] = "1"  # ひな形の文面にする
        response = walk.post(template, data, ok=(200,))
        data = form_data(response.content.decode(), 'name="preset"')
        data.pop("_apply_preset", None)
    data["number_symbol"] = "福政"
    data["shown_fields"] = ["project_title", "start_date", "amount"]
    walk.post(template, data)
    walk.get(template)
    walk.step("notice template set")
    publish_procedure(walk, pversion, detail)


def publish_procedure(walk: Walk, pversion: Any, detail: str) -> None:
    from demo.procedure import PROCEDURE_CODE

    # 5. Publish.
    walk.get(detail)
    publish = f"/manage/procedures/{PROCEDURE_CODE}/versions/1/publish/"
    response = walk.post(publish, {}, ok=(200, 302))
    if response.status_code == 200:  # warnings shown: publish with them
        response = walk.post(publish, {"accept_warnings": "1"})
    walk.land(response)
    pversion.refresh_from_db()
    assert pversion.status == "published", pversion.status
    walk.step("procedure published")


def main() -> None:
    import django

    django.setup()
    global OLD
    from forms_builder import builder_forms

    OLD = hasattr(builder_forms, "FieldAddForm")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)

    from accounts.models import User
    from demo.organisation import seed_organisation
    from organisation.models import Position, Section
    from procedures.models import Category

    try:
        from tests.second_factor import verified_login
    except ImportError:  # before staff had a second factor

        def verified_login(client: Any, user: Any) -> None:
            client.force_login(user)

    walks = {}
    for js in (True, False):
        if walks:  # a fresh database for the second walk
            call_command("flush", interactive=False, verbosity=0)
        seed_organisation()
        org = {
            "positions": {p.code: p for p in Position.objects.all()},
            "section": Section.objects.get(code="fukushi-seisaku"),
            "finance": Section.objects.get(code="zaisei"),
            "category": Category.objects.get_or_create(
                code="fukushi",
                defaults={"name": "福祉・子育て", "name_en": "Welfare and families"},
            )[0],
        }
        client = Client()
        verified_login(client, User.objects.get(email="admin@example.jp"))
        walks[js] = Walk(client, js=js)
        model_the_demo(walks[js], org)
    print("pages:", "before issue 12 (FieldAddForm)" if OLD else "current")
    print(
        f"{'':<26} {'new screens':>15} {'pages drawn':>15} {'submissions':>15}\n"
        f"{'step':<26}" + f" {'JS':>7} {'no JS':>7}" * 3
    )
    with_js, without = walks[True], walks[False]
    for a, b in zip(with_js.steps, without.steps, strict=True):
        print(
            f"{a[0]:<26}"
            + "".join(f" {x:>7} {y:>7}" for x, y in zip(a[1:], b[1:], strict=True))
        )
    totals = [(len(w.screens), w.views, w.posts) for w in (with_js, without)]
    print(
        f"{'total':<26}"
        + "".join(f" {x:>7} {y:>7}" for x, y in zip(*totals, strict=True))
    )
    if VERBOSE:
        print("\n".join(with_js.screens))


if __name__ == "__main__":
    main()
