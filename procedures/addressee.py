"""Who applies, and to whom the notice is addressed (宛名).

A procedure version says who may apply (a person, a business — 法人・個人事業主
— or either) and whether an agent may apply for someone (代理申請). It maps
questions of its form to the parts of the addressee block: for a business
its 名称, 代表者の役職・氏名 and 所在地; for a person 氏名 and 住所; for a
代理申請 the principal stays the addressee and the agent is the contact.

The login account is the submitter (提出者) and is recorded as such; it is
the addressee only of a person's procedure without 代理申請 whose name is not
mapped, where the person signed in is by definition the applicant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procedures.models import ApplicantKind
from procedures.publishing import PublishProblem

TEXT_TYPES = ("text", "textarea", "address")
NAME_TYPES = ("text", "name_pair")


@dataclass(frozen=True)
class Role:
    """One part of the addressee block and the field types that can fill it."""

    key: str
    label: Any
    types: tuple[str, ...]


ROLES = (
    Role(
        "applicant_type",
        _("法人・個人事業主として申請するか（はい・いいえ）"),
        ("yesno",),
    ),
    Role("business_name", _("法人・事業者の名称"), ("text",)),
    Role("representative_title", _("代表者の役職"), ("text",)),
    Role("representative_name", _("代表者の氏名"), NAME_TYPES),
    Role("business_postal_code", _("所在地の郵便番号"), ("postal_code",)),
    Role("business_address", _("所在地"), TEXT_TYPES),
    Role("person_name", _("個人の氏名"), NAME_TYPES),
    Role("person_postal_code", _("個人の郵便番号"), ("postal_code",)),
    Role("person_address", _("個人の住所"), TEXT_TYPES),
    Role("proxy", _("代理人による申請か（はい・いいえ）"), ("yesno",)),
    Role("agent_name", _("代理人の氏名"), NAME_TYPES),
    Role("agent_address", _("代理人の住所"), TEXT_TYPES),
    Role("agent_phone", _("代理人の電話番号"), ("phone",)),
    Role("power_of_attorney", _("委任状"), ("file",)),
)
ROLE_KEYS = tuple(role.key for role in ROLES)
_ROLE = {role.key: role for role in ROLES}


def required_roles(*, kind: str, allows_proxy: bool) -> list[str]:
    """The roles a version must map before it can be published."""
    roles: list[str] = []
    if kind == ApplicantKind.EITHER:
        roles.append("applicant_type")
    if kind in (ApplicantKind.BUSINESS, ApplicantKind.EITHER):
        roles += ["business_name", "representative_name", "business_address"]
    if kind == ApplicantKind.EITHER:
        roles += ["person_name", "person_address"]
    if allows_proxy:
        roles += ["proxy", "agent_name", "power_of_attorney"]
    return roles


def roles_for(*, kind: str, allows_proxy: bool) -> list[str]:
    """The parts of the addressee a version of this kind maps, in order."""
    business = [
        "business_name",
        "representative_title",
        "representative_name",
        "business_postal_code",
        "business_address",
    ]
    person = ["person_name", "person_postal_code", "person_address"]
    if kind == ApplicantKind.BUSINESS:
        roles = business
    elif kind == ApplicantKind.EITHER:
        roles = ["applicant_type", *business, *person]
    else:
        roles = person
    if allows_proxy:
        roles = [*roles, "proxy", "agent_name", "agent_address", "agent_phone"]
        roles.append("power_of_attorney")
    return roles


# How a question's key or label gives away the part it fills: exact keys,
# words of the label, and words that rule the label out (代表者の氏名 is not
# the person's 氏名). Only questions of a fitting type are considered.
_HINTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "applicant_type": (
        ("applicant_type", "is_business", "is_corporation", "business"),
        ("法人", "事業者", "事業主"),
        ("代理",),
    ),
    "business_name": (
        ("business_name", "company", "company_name", "corp_name", "corporation"),
        ("名称", "法人名", "事業者名", "会社名", "商号", "団体名", "屋号"),
        ("代表", "代理", "フリガナ", "カナ"),
    ),
    "representative_title": (
        ("representative_title", "rep_title"),
        ("役職",),
        ("代理",),
    ),
    "representative_name": (
        ("representative_name", "representative", "rep_name", "rep"),
        ("代表者",),
        ("役職", "代理"),
    ),
    "business_postal_code": (
        ("business_postal_code", "office_postal_code", "corp_postal_code"),
        ("所在地", "事業所", "事務所", "本店"),
        ("代理",),
    ),
    "business_address": (
        ("business_address", "corp_address", "office", "office_address"),
        ("所在地", "事業所", "事務所", "本店"),
        ("代理", "郵便"),
    ),
    "person_name": (
        ("person_name", "applicant_name", "applicant", "full_name", "name"),
        ("氏名", "お名前"),
        ("代表", "代理", "法人", "事業者", "フリガナ"),
    ),
    "person_postal_code": (
        ("person_postal_code", "postal_code"),
        ("郵便番号",),
        ("所在地", "事業所", "事務所", "本店", "代理"),
    ),
    "person_address": (
        ("person_address", "address", "home_address"),
        ("住所",),
        ("所在地", "代理", "メール"),
    ),
    "proxy": (("proxy", "is_proxy", "by_agent"), ("代理",), ()),
    "agent_name": (("agent_name", "agent"), ("代理人",), ("住所", "電話")),
    "agent_address": (("agent_address",), ("代理人",), ("氏名", "電話")),
    "agent_phone": (("agent_phone",), ("代理人",), ()),
    "power_of_attorney": (
        ("power_of_attorney", "proxy_letter", "ininjo"),
        ("委任状",),
        (),
    ),
}


def guess_mapping(questions: list[Any], roles: list[str]) -> dict[str, str]:
    """For each of ``roles``, the question of the form (``FieldInfo``) that
    most likely fills it, by its key or label: 名称, 代表者, 所在地, 氏名,
    住所… A question fills one part at most; a part nothing fits is left out.
    The administrator sees the guess and may change it."""
    guessed: dict[str, str] = {}
    for key in roles:
        keys, words, never = _HINTS[key]
        best, best_score = None, 0
        for info in questions:
            if info.type not in _ROLE[key].types or info.node.in_repeat:
                continue
            if info.key in guessed.values():
                continue
            label = str(info.label)
            score = 0
            if info.key in keys:
                score = 2
            elif any(w in label for w in words) and not any(n in label for n in never):
                score = 1
            if score > best_score:
                best, best_score = info.key, score
        if best:
            guessed[key] = best
    return guessed


def mapping_errors(version: Any) -> list[PublishProblem]:
    """What keeps the version's addressee mapping from being published; each
    problem's ``place`` is the drop-down to fix it (``addressee_<role>``)."""
    runtime = version.form_version.runtime
    mapping = version.addressee_fields or {}
    errors = []
    for key, field_key in mapping.items():
        role = _ROLE.get(key)
        if role is None:
            errors.append(
                PublishProblem(
                    gettext("宛名の設定に不明な項目があります: %(key)s") % {"key": key},
                    place="addressee",
                )
            )
            continue
        info = runtime.field(field_key) if field_key else None
        if info is None:
            message = gettext(
                "宛名の「%(role)s」に選んだ項目「%(field)s」がフォームにありません。"
            ) % {"role": role.label, "field": field_key}
        elif info.type not in role.types or info.node.in_repeat is not None:
            message = gettext(
                "宛名の「%(role)s」には「%(field)s」の種類の項目を使えません。"
            ) % {"role": role.label, "field": info.label}
        else:
            continue
        shown = key in roles_for(
            kind=version.applicant_kind, allows_proxy=version.allows_proxy
        )
        errors.append(
            PublishProblem(message, place=f"addressee_{key}" if shown else "addressee")
        )
    for key in required_roles(
        kind=version.applicant_kind, allows_proxy=version.allows_proxy
    ):
        if not mapping.get(key):
            errors.append(
                PublishProblem(
                    gettext("宛名の「%(role)s」に使う項目を選んでください。")
                    % {"role": _ROLE[key].label},
                    place=f"addressee_{key}",
                )
            )
    return errors


def _text(value: Any) -> str:
    if isinstance(value, dict):  # name_pair
        return str(value.get("name") or "").strip()
    return "" if value is None else str(value).strip()


def is_business(version: Any, answers: dict[str, Any]) -> bool:
    if version.applicant_kind == ApplicantKind.BUSINESS:
        return True
    if version.applicant_kind == ApplicantKind.EITHER:
        key = (version.addressee_fields or {}).get("applicant_type")
        return bool(key and answers.get(key) is True)
    return False


def is_proxy(version: Any, answers: dict[str, Any]) -> bool:
    key = (version.addressee_fields or {}).get("proxy")
    return bool(version.allows_proxy and key and answers.get(key) is True)


def submission_errors(version: Any, answers: dict[str, Any]) -> dict[str, list[str]]:
    """Answers the addressee needs that the form itself does not require.

    A 代理申請 needs the 委任状 and the agent's name; a business the name that
    the notice is addressed to.
    """
    mapping = version.addressee_fields or {}
    errors: dict[str, list[str]] = {}

    def need(role: str, message: str) -> None:
        key = mapping.get(role)
        if key and not answers.get(key):
            errors.setdefault(key, []).append(message)

    if is_proxy(version, answers):
        need(
            "power_of_attorney",
            gettext("代理人が申請するときは委任状を添付してください。"),
        )
        need("agent_name", gettext("代理人の氏名を入力してください。"))
    if is_business(version, answers):
        need("business_name", gettext("法人・事業者の名称を入力してください。"))
        need("representative_name", gettext("代表者の氏名を入力してください。"))
    return errors


def addressee_snapshot(
    *, version: Any, answers: dict[str, Any], submitter: Any
) -> dict[str, Any]:
    """The addressee block as printed on notices, frozen at (re)submission."""
    mapping = version.addressee_fields or {}

    def answer(role: str) -> str:
        key = mapping.get(role)
        return _text(answers.get(key)) if key else ""

    submitter_data = {
        "name": getattr(submitter, "full_name", "") or "",
        "email": getattr(submitter, "email", "") or "",
    }
    if is_business(version, answers):
        block = {
            "kind": ApplicantKind.BUSINESS.value,
            "name": answer("business_name"),
            "representative_title": answer("representative_title"),
            "representative_name": answer("representative_name"),
            "postal_code": answer("business_postal_code"),
            "address": answer("business_address"),
            "source": "answers",
        }
    elif mapping.get("person_name"):
        block = {
            "kind": ApplicantKind.PERSON.value,
            "name": answer("person_name"),
            "postal_code": answer("person_postal_code"),
            "address": answer("person_address"),
            "source": "answers",
        }
    else:
        # A person's procedure without a mapped name: the person signed in
        # applies for themselves (the first 氏名 question, else the profile).
        name = next(
            (
                _text(value)
                for value in answers.values()
                if isinstance(value, dict) and "kana" in value and "name" in value
            ),
            "",
        )
        block = {
            "kind": ApplicantKind.PERSON.value,
            "name": name or submitter_data["name"],
            "postal_code": getattr(submitter, "postal_code", "") or "",
            "address": getattr(submitter, "address", "") or "",
            "source": "account",
        }
    block["submitter"] = submitter_data
    if is_proxy(version, answers):
        block["agent"] = {
            "name": answer("agent_name"),
            "address": answer("agent_address"),
            "phone": answer("agent_phone"),
        }
    return block


def display_name(addressee: dict[str, Any]) -> str:
    """The addressee in one line (a business with its representative)."""
    name = addressee.get("name") or ""
    if addressee.get("kind") == ApplicantKind.BUSINESS:
        representative = " ".join(
            part
            for part in (
                addressee.get("representative_title"),
                addressee.get("representative_name"),
            )
            if part
        )
        if representative:
            return f"{name}　{representative}"
    return name


# --- Packages ---------------------------------------------------------------

PACKAGE_FORMAT = 1


def export_applicant(version: Any) -> dict[str, Any]:
    """The package section "applicant": who applies, the addressee, delivery."""
    return {
        "format": PACKAGE_FORMAT,
        "kind": version.applicant_kind,
        "allows_proxy": version.allows_proxy,
        "addressee": dict(version.addressee_fields or {}),
        "asks_delivery_consent": version.asks_delivery_consent,
    }


def import_applicant(version: Any, data: dict[str, Any]) -> None:
    """Set the section on a new draft; ValueError names what is wrong.

    Field keys are checked against the form when the draft is published,
    as for a mapping chosen in /manage/.
    """
    if data.get("format", PACKAGE_FORMAT) != PACKAGE_FORMAT:
        raise ValueError(f"applicant: unknown format {data.get('format')!r}")
    unknown = set(data) - {
        "format",
        "kind",
        "allows_proxy",
        "addressee",
        "asks_delivery_consent",
    }
    if unknown:
        raise ValueError(f"applicant: unknown keys {sorted(unknown)}")
    kind = data.get("kind", ApplicantKind.PERSON)
    if kind not in ApplicantKind.values:
        raise ValueError(f"applicant: unknown kind {kind!r}")
    mapping = data.get("addressee", {})
    if not isinstance(mapping, dict) or not all(
        key in ROLE_KEYS and isinstance(value, str) for key, value in mapping.items()
    ):
        raise ValueError("applicant: addressee must map known roles to field keys")
    for name in ("allows_proxy", "asks_delivery_consent"):
        if name in data and not isinstance(data[name], bool):
            raise ValueError(f"applicant: {name} must be true or false")
    version.applicant_kind = kind
    version.allows_proxy = data.get("allows_proxy", False)
    version.addressee_fields = {key: value for key, value in mapping.items() if value}
    version.asks_delivery_consent = data.get("asks_delivery_consent", True)
    version.save(
        update_fields=[
            "applicant_kind",
            "allows_proxy",
            "addressee_fields",
            "asks_delivery_consent",
        ]
    )
