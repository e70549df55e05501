"""Which texts a decision carries, and who reads them (issue 11).

Every decision has two texts that are never mixed: the message to the
applicant, which reaches the resident (their page, the API, the e-mail, and
as 理由 the notice of a refusal), and the internal comment, which stays on
the staff side. The rule lives here once, for the services, the caseworker's
form and the API alike.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

# Decisions that move a case along its chain. At the final level every other
# decision (approve, reject, decide, an outcome's code) is the 決裁 itself.
CHAIN_DECISIONS = ("send_back", "amend", "consult")


def settles(*, final: bool, decision: str) -> bool:
    """Whether ``decision`` is the final decision (決裁) on the application."""
    return final and decision not in (*CHAIN_DECISIONS, "opinion")


def applicant_message_rule(decision: str, *, final: bool, outcome: Any = None) -> str:
    """Whether a decision sends the applicant a message: required, optional, unused.

    The message to the applicant is part of the decision and reaches the
    resident (their page, the API, the e-mail, the notice's 理由); the
    internal comment never does (issue 11). A final decision's outcome says
    whether it states a reason (行政手続法第8条・第14条: always for an
    unfavourable or partly favourable one); a 補正 says what to correct; a
    favourable outcome may carry a message; everything else stays inside the
    office.
    """
    if outcome is not None:
        return "required" if outcome.reason_required else "optional"
    if decision in ("reject", "amend"):
        return "required"
    if decision == "approve" and final:
        return "optional"
    return "unused"


# Decisions whose reason is for colleagues: the level sent back to, the
# section consulted, the consultation's answer.
INTERNAL_COMMENT_REQUIRED = ("send_back", "consult", "opinion")


def decision_text_errors(
    *,
    decision: str,
    final: bool,
    applicant_message: str,
    internal_comment: str,
    outcome: Any = None,
) -> dict[str, str]:
    """What is missing or misplaced in a decision's two texts, by field name.

    Shared by the services, the caseworker's form and the API, so that all
    three refuse the same thing with the same words next to the same field.
    ``outcome`` is the version's outcome a final decision chose, if any.
    """
    errors = {}
    rule = applicant_message_rule(decision, final=final, outcome=outcome)
    if rule == "required" and not applicant_message.strip():
        if outcome is not None or decision == "reject":
            errors["applicant_message"] = gettext(
                "%(outcome)sの理由を「申請者へのメッセージ」に入力してください"
                "（行政手続法第8条）。"
            ) % {
                "outcome": outcome.label_text
                if outcome is not None
                else gettext("不許可")
            }
        else:
            errors["applicant_message"] = gettext(
                "直してほしい内容を「申請者へのメッセージ」に入力してください。"
            )
    elif rule == "unused" and applicant_message.strip():
        errors["applicant_message"] = gettext(
            "この判断は申請者に知らされないため、申請者へのメッセージは送れません。"
            "職員向けのことは「内部コメント」に書いてください。"
        )
    if decision in INTERNAL_COMMENT_REQUIRED and not internal_comment.strip():
        errors["internal_comment"] = {
            "send_back": gettext("差し戻す理由を「内部コメント」に入力してください。"),
            "consult": gettext(
                "合議で意見を聞きたいことを「内部コメント」に入力してください。"
            ),
            "opinion": gettext("合議の意見を入力してください。"),
        }[decision]
    return errors
