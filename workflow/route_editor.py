"""The route editor's state: what the page shows, what a button press does,
and what saving stores.

The page is one form that works without JavaScript: each button (add a
level, move it up, add a condition, switch a rule to JSON…) posts the whole
page with ``action`` naming what to do, and the page comes back changed and
unsaved; only 「保存する」 checks and stores. With JavaScript
(static/workflow/route_editor.js) the rows are added, moved and removed in
the page from its <template> elements, renumbered as the server numbers
them, so the same 保存する receives the same names. Levels, rules, conditions and
band rows are lists in the posted order: there are no order numbers to type,
and a row left blank is dropped, never refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from organisation.models import Position, Section
from workflow.models import FinalAuthorityRule, RouteConsultation, RouteLevel
from workflow.route_rules import (
    OPERATORS,
    UNARY,
    BandDraft,
    BandRow,
    Condition,
    RuleDraft,
    band_rules,
    number_text,
    parse_number,
    rule_from_logic,
    split_band,
    subject_index,
    subject_of,
    subjects,
)

MAX_ITEMS = 50  # rows of any list a posted page may ask for
_ACTION = re.compile(r"^[a-z0-9-]{1,40}$")
TRUE_WORDS = {"はい", "true", "1", "yes", "チェックあり"}
FALSE_WORDS = {"いいえ", "false", "0", "no", "チェックなし"}


@dataclass
class Compiled:
    levels: list[int] = field(default_factory=list)
    rules: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    consultations: list[tuple[int, int, int, dict[str, Any]]] = field(
        default_factory=list
    )


def _count(data: Any, name: str) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), MAX_ITEMS))
    except (TypeError, ValueError):
        return 0


def _not_an_option(subject: Any) -> str:
    return gettext("選択肢にありません。選べるのは %(options)s です。") % {
        "options": "、".join(label for _value, label in subject.options)
    }


def _move(items: list[Any], index: int, step: int) -> None:
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


class RouteEditor:
    """The route of one procedure version as the editor shows it."""

    def __init__(self, route: Any, runtime: Any, data: Any = None) -> None:
        self.route = route
        self.runtime = runtime
        self.subjects = subjects(runtime)
        self.by_value = {item.value: item for item in self.subjects}
        self.by_logic = subject_index(self.subjects)
        self.positions = list(Position.objects.order_by("-level", "code"))
        self.position_names = {str(p.pk): str(p) for p in self.positions}
        self.sections = list(
            Section.objects.select_related("department").order_by(
                "department__code", "code"
            )
        )
        self.section_names = {str(s.pk): str(s) for s in self.sections}
        self.errors: dict[str, list[str]] = {}
        self.summary: list[tuple[str, str, str]] = []
        self.action = ""
        self.compiled: Compiled | None = None
        # The input a button press lands on (autofocus: without JavaScript
        # the page comes back at the top, and the keyboard would lose its place).
        self.focus = ""
        if data is None:
            self._load()
        else:
            self._read(data)
            action = data.get("action") or "save"
            self.action = action if _ACTION.match(action) else "save"
            if self.action != "save":
                self._apply(self.action)
                self.focus = self._focus_after(self.action)

    # --- reading -------------------------------------------------------------

    def _load(self) -> None:
        route = self.route
        self.levels = [
            str(pk)
            for pk in RouteLevel.objects.filter(route=route)
            .order_by("order")
            .values_list("position_id", flat=True)
        ]
        stored = list(
            FinalAuthorityRule.objects.filter(route=route)
            .order_by("order")
            .values_list("rule", "position_id", "label")
        )
        pairs = [(rule, position) for rule, position, _label in stored]
        start, shape, rows, otherwise, otherwise_bound = split_band(pairs)
        band = subject_of(shape[1], self.by_logic) if shape else None
        band_subject = band.value if band else ""
        if (
            shape is None
            or not band_subject
            or (otherwise is not None and otherwise_bound != rows[-1][0])
        ):
            # Not a band the editor can show as it is: saving it as a band
            # would move the "otherwise" bound without anyone seeing it.
            start = len(stored)
        self.rules = []
        for rule, position, label in stored[:start]:
            draft = rule_from_logic(rule, self.by_logic)
            draft.label, draft.position = label, str(position)
            self.rules.append(draft)
        self.band: BandDraft | None = None
        if start < len(stored):
            self.band = BandDraft(
                subject=band_subject,
                compare=shape[0],
                rows=[BandRow(number_text(bound), str(pos)) for bound, pos in rows],
                otherwise=str(otherwise) if otherwise is not None else "",
            )
        self.consultations = []
        for item in RouteConsultation.objects.filter(route=route).order_by("pk"):
            draft = rule_from_logic(item.rule, self.by_logic)
            draft.section = str(item.section_id)
            draft.position = str(item.position_id)
            draft.before = str(item.before_position_id)
            self.consultations.append(draft)

    @staticmethod
    def _read_rule(data: Any, prefix: str) -> RuleDraft:
        draft = RuleDraft(
            label=data.get(f"{prefix}-label", "").strip(),
            position=data.get(f"{prefix}-position", ""),
            section=data.get(f"{prefix}-section", ""),
            before=data.get(f"{prefix}-before", ""),
            match="or" if data.get(f"{prefix}-match") == "or" else "and",
            advanced=data.get(f"{prefix}-mode") == "json",
            logic=data.get(f"{prefix}-json", ""),
        )
        for j in range(_count(data, f"{prefix}-conds")):
            base = f"{prefix}-cond-{j}"
            draft.conditions.append(
                Condition(
                    data.get(f"{base}-subject", ""),
                    data.get(f"{base}-op", ""),
                    data.get(f"{base}-value", "").strip(),
                )
            )
        return draft

    def _read(self, data: Any) -> None:
        self.levels = [
            data.get(f"level-{i}-position", "")
            for i in range(_count(data, "levels-count"))
        ]
        self.rules = [
            self._read_rule(data, f"rule-{i}")
            for i in range(_count(data, "rules-count"))
        ]
        self.band = None
        if data.get("band") == "1":
            self.band = BandDraft(
                subject=data.get("band-subject", ""),
                compare="<=" if data.get("band-compare") == "<=" else "<",
                rows=[
                    BandRow(
                        data.get(f"band-{k}-bound", "").strip(),
                        data.get(f"band-{k}-position", ""),
                    )
                    for k in range(_count(data, "band-count"))
                ],
                otherwise=data.get("band-otherwise", ""),
            )
        self.consultations = [
            self._read_rule(data, f"consult-{i}")
            for i in range(_count(data, "consult-count"))
        ]

    # --- buttons -------------------------------------------------------------

    def _apply(self, action: str) -> None:
        parts = action.split("-")
        lists = {
            "level": self.levels,
            "rule": self.rules,
            "consult": self.consultations,
        }
        head = parts[0]
        if head in lists and len(parts) >= 2 and not parts[1].isdigit():
            items = lists[head]
            verb = parts[1]
            if verb == "add" and len(items) < MAX_ITEMS:
                items.append("" if head == "level" else self._new_rule())
            elif len(parts) == 3 and parts[2].isdigit():
                index = int(parts[2])
                if verb == "remove" and 0 <= index < len(items):
                    del items[index]
                elif verb == "up":
                    _move(items, index, -1)
                elif verb == "down":
                    _move(items, index, 1)
            return
        if head in ("rule", "consult") and len(parts) >= 3 and parts[1].isdigit():
            items = lists[head]
            index = int(parts[1])
            if not 0 <= index < len(items):
                return
            draft = items[index]
            rest = parts[2:]
            if rest == ["cond", "add"] and len(draft.conditions) < MAX_ITEMS:
                draft.conditions.append(Condition())
            elif (
                len(rest) == 3 and rest[:2] == ["cond", "remove"] and rest[2].isdigit()
            ):
                j = int(rest[2])
                if 0 <= j < len(draft.conditions):
                    del draft.conditions[j]
            elif rest == ["advanced"]:
                self._to_json(draft, f"{head}-{index}")
            elif rest == ["rows"]:
                self._to_rows(draft, f"{head}-{index}")
            return
        if action == "band-add" and self.band is None:
            self.band = BandDraft(rows=[BandRow(), BandRow()])
        elif action == "band-remove":
            self.band = None
        elif self.band is not None and action == "band-row-add":
            if len(self.band.rows) < MAX_ITEMS:
                self.band.rows.append(BandRow())
        elif self.band is not None and action.startswith("band-row-remove-"):
            index = action.rsplit("-", 1)[1]
            if index.isdigit() and int(index) < len(self.band.rows):
                del self.band.rows[int(index)]

    def _focus_after(self, action: str) -> str:
        parts = action.split("-")
        sizes = {
            "level": len(self.levels),
            "rule": len(self.rules),
            "consult": len(self.consultations),
        }
        first = {"level": "position", "rule": "label", "consult": "section"}
        head = parts[0]
        if head in sizes and len(parts) >= 2 and not parts[1].isdigit():
            index = sizes[head] - 1
            if len(parts) == 3 and parts[2].isdigit():
                step = {"up": -1, "down": 1, "remove": -1}.get(parts[1], 0)
                index = int(parts[2]) + step
                if parts[1] == "remove":
                    index = max(index, 0)
            if 0 <= index < sizes[head]:
                return f"{head}-{index}-{first[head]}"
            return ""
        if head in ("rule", "consult") and parts[1:2] and parts[1].isdigit():
            items = self.rules if head == "rule" else self.consultations
            index = int(parts[1])
            if parts[2:] == ["cond", "add"] and index < len(items):
                last = len(items[index].conditions) - 1
                return f"{head}-{index}-cond-{last}-subject"
            if parts[2:] == ["advanced"]:
                return f"{head}-{index}-json"
            if parts[2:] == ["rows"]:
                return f"{head}-{index}-match"
            return ""
        if action == "band-add":
            return "band-subject"
        if action == "band-row-add" and self.band is not None:
            return f"band-{len(self.band.rows) - 1}-bound"
        return ""

    @staticmethod
    def _new_rule() -> RuleDraft:
        return RuleDraft(conditions=[Condition()])

    def _to_json(self, draft: RuleDraft, prefix: str) -> None:
        draft.conditions = [c for c in draft.conditions if not c.blank]
        logic = self._rows_logic(draft, prefix, report=False)
        if logic is None:
            # A row not yet right stays a row, with its error, rather than
            # being lost in the switch.
            self._rows_logic(draft, prefix, label=gettext("この規則"))
            return
        draft.advanced = True
        draft.logic = json.dumps(logic, ensure_ascii=False) if logic else ""

    def _to_rows(self, draft: RuleDraft, prefix: str) -> None:
        text = draft.logic.strip()
        try:
            rule = json.loads(text) if text else {}
        except ValueError:
            rule = None
        converted = rule_from_logic(rule, self.by_logic) if rule is not None else None
        if converted is None or converted.advanced:
            self._error(
                f"{prefix}-json",
                gettext("規則 %(n)s") % {"n": prefix.rsplit("-", 1)[1]},
                gettext(
                    "この JSON Logic は行の形では表せません。JSON のまま編集してください。"
                ),
            )
            return
        draft.advanced = False
        draft.match = converted.match
        draft.conditions = converted.conditions or [Condition()]

    # --- checking ------------------------------------------------------------

    def _error(self, name: str, label: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)
        self.summary.append((f"f-{name}", label, message))

    def _typed_value(self, subject: Any, op: str, text: str) -> tuple[Any, str]:
        """(value, error) of a condition's value for ``subject``."""
        kind = subject.kind
        if op in ("<", "<=", ">", ">=") and kind not in ("number", "date", "text"):
            return None, gettext("この項目は大小を比べられません。")
        if op == "in":
            if kind != "list":
                return None, gettext("「含む」は複数選択の項目にだけ使えます。")
            if not text:
                return None, gettext("値を入力してください。")
            if subject.options and subject.option_value(text) is None:
                return None, _not_an_option(subject)
            return subject.option_value(text) or text, ""
        if kind == "list":
            return None, gettext("複数選択の項目は「含む」で比べてください。")
        if not text:
            return None, gettext("値を入力してください。")
        if kind == "number":
            number = parse_number(text)
            if number is None:
                return None, gettext("数値を入力してください（例: 1,000,000）。")
            return number, ""
        if kind == "boolean":
            word = text.lower()
            if word in TRUE_WORDS:
                return True, ""
            if word in FALSE_WORDS:
                return False, ""
            return None, gettext("「はい」か「いいえ」を入力してください。")
        if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return None, gettext("日付は 2026-04-01 の形で入力してください。")
        if subject.options:
            value = subject.option_value(text)
            if value is None:
                return None, _not_an_option(subject)
            return value, ""
        return text, ""

    def _rows_logic(
        self, draft: RuleDraft, prefix: str, *, report: bool = True, label: str = ""
    ) -> dict[str, Any] | None:
        """The JSON Logic of a rule's rows; None (errors reported) when wrong."""
        items = []
        ok = True
        for j, condition in enumerate(draft.conditions):
            if condition.blank:
                continue
            base = f"{prefix}-cond-{j}"
            row = gettext("%(rule)sの条件 %(n)s") % {"rule": label, "n": j + 1}
            subject = self.by_value.get(condition.subject)
            if subject is None:
                ok = False
                if report:
                    self._error(
                        f"{base}-subject", row, gettext("項目を選んでください。")
                    )
                continue
            if condition.op not in OPERATORS:
                ok = False
                if report:
                    self._error(f"{base}-op", row, gettext("比べ方を選んでください。"))
                continue
            if condition.op in UNARY:
                items.append({condition.op: [subject.logic]})
                continue
            value, problem = self._typed_value(subject, condition.op, condition.value)
            if problem:
                ok = False
                if report:
                    self._error(f"{base}-value", row, problem)
                continue
            if condition.op == "in":
                items.append({"in": [value, subject.logic]})
            else:
                items.append({condition.op: [subject.logic, value]})
        if not ok:
            return None
        return {draft.match: items} if items else {}

    def _rule_logic(self, draft: RuleDraft, prefix: str, label: str) -> Any:
        """A rule's JSON Logic from its rows or its JSON; None when wrong."""
        if draft.advanced:
            text = draft.logic.strip()
            if not text:
                return {}
            try:
                rule = json.loads(text)
            except ValueError:
                self._error(f"{prefix}-json", label, gettext("JSON として読めません。"))
                return None
            if not isinstance(rule, dict):
                self._error(
                    f"{prefix}-json",
                    label,
                    gettext("規則は { } で囲んだ JSON Logic で書いてください。"),
                )
                return None
        else:
            rule = self._rows_logic(draft, prefix, label=label)
            if rule is None:
                return None
        problems = self.runtime.rule_errors(rule) if rule else []
        for problem in problems:
            name = f"{prefix}-json" if draft.advanced else f"{prefix}-match"
            self._error(name, label, problem)
        return None if problems else rule

    def _position(self, name: str, value: str, label: str, *, on_chain: bool) -> int:
        if not value:
            self._error(name, label, gettext("職を選んでください。"))
            return 0
        if value not in self.position_names:
            self._error(name, label, gettext("選んだ職はありません。"))
            return 0
        if on_chain and value not in self.levels:
            self._error(
                name,
                label,
                gettext(
                    "「%(name)s」は審査の段階にありません。先に段階に加えてください。"
                )
                % {"name": self.position_names[value]},
            )
            return 0
        return int(value)

    def is_valid(self) -> bool:
        """Check the posted route (on 保存する) and compile what it stores."""
        if self.action != "save":
            return False
        compiled = Compiled()
        # Blank rows are dropped first, so that numbering matches what is kept.
        self.levels = [value for value in self.levels if value]
        seen: set[str] = set()
        for i, value in enumerate(self.levels):
            label = gettext("段階 %(n)s") % {"n": i + 1}
            if value in seen:
                self._error(
                    f"level-{i}-position",
                    label,
                    gettext("「%(name)s」はすでに段階にあります。")
                    % {"name": self.position_names.get(value, value)},
                )
                continue
            seen.add(value)
            position = self._position(
                f"level-{i}-position", value, label, on_chain=False
            )
            if position:
                compiled.levels.append(position)
        if not self.levels:
            self._error(
                "levels",
                gettext("審査の段階"),
                gettext("審査の段階を1つ以上加えてください。"),
            )
        self.rules = [draft for draft in self.rules if not draft.blank]
        for i, draft in enumerate(self.rules):
            draft.conditions = [c for c in draft.conditions if not c.blank]
            prefix = f"rule-{i}"
            label = gettext("専決の規則 %(n)s") % {"n": i + 1}
            rule = self._rule_logic(draft, prefix, label)
            if rule == {}:
                self._error(
                    f"{prefix}-json" if draft.advanced else f"{prefix}-match",
                    label,
                    gettext("条件を1つ以上入れてください。"),
                )
            position = self._position(
                f"{prefix}-position", draft.position, label, on_chain=True
            )
            if rule and position:
                compiled.rules.append((draft.label, rule, position))
        if self.band is not None:
            compiled.rules.extend(self._band_rules())
        self.consultations = [d for d in self.consultations if not d.blank]
        for i, draft in enumerate(self.consultations):
            draft.conditions = [c for c in draft.conditions if not c.blank]
            prefix = f"consult-{i}"
            label = gettext("合議 %(n)s") % {"n": i + 1}
            section = 0
            if draft.section not in self.section_names:
                self._error(
                    f"{prefix}-section",
                    label,
                    gettext("合議先の課室を選んでください。"),
                )
            else:
                section = int(draft.section)
            position = self._position(
                f"{prefix}-position", draft.position, label, on_chain=False
            )
            before = self._position(
                f"{prefix}-before", draft.before, label, on_chain=True
            )
            rule = self._rule_logic(draft, prefix, label)
            if section and position and before and rule is not None:
                compiled.consultations.append((section, position, before, rule))
        self.compiled = compiled
        return not self.summary

    def _band_rules(self) -> list[tuple[str, dict[str, Any], int]]:
        band = self.band
        label = gettext("金額の区分")
        subject = self.by_value.get(band.subject)
        if subject is None or subject.kind != "number":
            self._error(
                "band-subject", label, gettext("区分に使う数値の項目を選んでください。")
            )
        band.rows = [row for row in band.rows if not row.blank]
        rows: list[tuple[Any, int]] = []
        previous = None
        for k, row in enumerate(band.rows):
            row_label = gettext("金額の区分 %(n)s行目") % {"n": k + 1}
            bound = parse_number(row.bound)
            if bound is None:
                self._error(
                    f"band-{k}-bound",
                    row_label,
                    gettext("上限の値を数値で入力してください（例: 1,000,000）。"),
                )
            elif previous is not None and bound <= previous:
                self._error(
                    f"band-{k}-bound",
                    row_label,
                    gettext("上限は前の行（%(previous)s）より大きくしてください。")
                    % {"previous": number_text(previous)},
                )
                bound = None
            else:
                previous = bound
            position = self._position(
                f"band-{k}-position", row.position, row_label, on_chain=True
            )
            if bound is not None and position:
                rows.append((bound, position))
        if not band.rows:
            self._error("band-subject", label, gettext("区分を1行以上入れてください。"))
        otherwise = None
        if band.otherwise:
            otherwise = self._position(
                "band-otherwise",
                band.otherwise,
                gettext("金額の区分の「それ以外」"),
                on_chain=True,
            )
        if subject is None or self.summary:
            return []
        word = gettext("未満") if band.compare == "<" else gettext("以下")
        stored = []
        for (rule, position), bound in zip(
            band_rules(subject.logic, band.compare, rows, otherwise),
            [bound for bound, _position in rows] + [None],
            strict=False,
        ):
            name = self.position_names[str(position)]
            if bound is None:
                text = gettext("%(subject)sがそれ以外は%(position)sが決裁") % {
                    "subject": subject.label,
                    "position": name,
                }
            else:
                text = gettext("%(subject)sが%(bound)s%(word)sは%(position)s専決") % {
                    "subject": subject.label,
                    "bound": number_text(bound),
                    "word": word,
                    "position": name,
                }
            stored.append((text[:200], rule, position))
        return stored

    # --- showing -------------------------------------------------------------

    def error(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def context(self) -> dict[str, Any]:
        """What the template iterates over."""
        return {
            "levels": [
                {"index": i, "value": value, "name": f"level-{i}-position"}
                for i, value in enumerate(self.levels)
            ],
            "rules": [
                self._rule_view(draft, f"rule-{i}", i)
                for i, draft in enumerate(self.rules)
            ],
            "band": self._band_view(),
            "consultations": [
                self._rule_view(draft, f"consult-{i}", i)
                for i, draft in enumerate(self.consultations)
            ],
            "positions": [(str(p.pk), str(p)) for p in self.positions],
            # A level is a post: its name with its scope (課室, 部局, 県全体).
            "level_choices": [
                (str(p.pk), f"{p}（{p.get_scope_display()}）") for p in self.positions
            ],
            "level_positions": [
                (value, self.position_names.get(value, value))
                for value in self.levels
                if value
            ],
            "sections": [(str(s.pk), str(s)) for s in self.sections],
            "subjects": self.subjects,
            "operators": list(OPERATORS.items()),
            "errors": self.errors,
            "focus": self.focus,
            "blank": self._blank_views(),
        }

    def _blank_views(self) -> dict[str, Any]:
        """New rows as the page's <template> elements draw them: the script
        adds these without a round trip, numbering ``__i__`` (the row) and
        ``__p__`` (the rule a condition belongs to) as the server would."""
        return {
            "level": {"index": "__i__", "value": "", "name": "level-__i__-position"},
            "rule": self._rule_view(self._new_rule(), "rule-__i__", "__i__"),
            "consult": self._rule_view(self._new_rule(), "consult-__i__", "__i__"),
            "condition": {
                "index": "__i__",
                "prefix": "__p__-cond-__i__",
                "c": Condition(),
            },
            "band_row": {"index": "__i__", "prefix": "band-__i__", "row": BandRow()},
            "band": self._band_view(BandDraft(rows=[BandRow(), BandRow()])),
        }

    def _rule_view(self, draft: RuleDraft, prefix: str, index: int) -> dict[str, Any]:
        return {
            "index": index,
            "prefix": prefix,
            "draft": draft,
            "conditions": [
                {"index": j, "prefix": f"{prefix}-cond-{j}", "c": c}
                for j, c in enumerate(draft.conditions)
            ],
        }

    def _band_view(self, band: BandDraft | None = None) -> dict[str, Any] | None:
        band = band or self.band
        if band is None:
            return None
        return {
            "draft": band,
            "rows": [
                {"index": k, "prefix": f"band-{k}", "row": row}
                for k, row in enumerate(band.rows)
            ],
        }
