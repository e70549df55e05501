"""What the API reads and writes. Output serializers describe the JSON; input
serializers parse requests before a service is called."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.forms import validity_error
from api.services import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_VALIDITY_DAYS,
    token_validity_days_for,
)
from core.i18n import localized
from procedures.models import Application
from workflow.decisions import decision_text_errors

AnyJson = serializers.JSONField


# --- Catalogue ----------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="__str__")


class ProcedureSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    category = CategorySerializer(allow_null=True)
    accepts_applications = serializers.BooleanField()
    section = serializers.CharField(source="current_version.section.name")
    department = serializers.CharField(source="current_version.section.department.name")
    fee_yen = serializers.IntegerField(source="current_version.fee_yen")
    processing_days = serializers.IntegerField(source="current_version.processing_days")
    # Without it "30" could be read as calendar days when it means business days.
    processing_in_business_days = serializers.BooleanField(
        source="current_version.processing_in_business_days"
    )

    def get_title(self, procedure) -> str:
        return procedure.current_version.title_text

    def get_summary(self, procedure) -> str:
        return localized(procedure.current_version, "summary")


class FormPageSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()


class FormFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()


class FormSerializer(serializers.Serializer):
    code = serializers.CharField(source="form.code")
    version = serializers.IntegerField(source="number")
    definition = AnyJson(help_text="The form definition (docs/forms.md).")
    pages = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    @extend_schema_field(FormPageSerializer(many=True))
    def get_pages(self, form_version) -> list[dict[str, Any]]:
        return [
            {"index": page.index, "key": page.key, "title": page.title}
            for page in form_version.runtime.pages
        ]

    @extend_schema_field(FormFieldSerializer(many=True))
    def get_questions(self, form_version) -> list[dict[str, Any]]:
        return [
            {"key": info.key, "label": str(info.label), "type": info.type}
            for info in form_version.runtime.field_keys()
        ]


class ProcedureDetailSerializer(ProcedureSerializer):
    eligibility = serializers.SerializerMethodField()
    required_documents = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    fee_note = serializers.SerializerMethodField()
    form = FormSerializer(source="current_version.form_version")
    applicant_kind = serializers.CharField(
        source="current_version.applicant_kind",
        help_text="Who may apply: person, business or either.",
    )
    allows_proxy = serializers.BooleanField(
        source="current_version.allows_proxy",
        help_text="An agent may apply on the applicant's behalf (with a 委任状).",
    )
    asks_delivery_consent = serializers.BooleanField(
        source="current_version.asks_delivery_consent",
        help_text="Ask the applicant for delivery_consent when submitting; "
        "when false every notice is mailed.",
    )

    def get_eligibility(self, procedure) -> str:
        return localized(procedure.current_version, "eligibility")

    def get_required_documents(self, procedure) -> str:
        return localized(procedure.current_version, "required_documents")

    def get_contact(self, procedure) -> str:
        return localized(procedure.current_version, "contact")

    def get_fee_note(self, procedure) -> str:
        return localized(procedure.current_version, "fee_note")


# --- Applications (residents) -------------------------------------------------


class ApplicationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_title = serializers.CharField(source="procedure_version.title_text")
    status = serializers.ChoiceField(choices=Application.Status.choices)
    status_label = serializers.CharField(source="status_text")
    receipt_number = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    amendment_due_date = serializers.DateField(
        allow_null=True,
        help_text="補正期限: the deadline of the corrections asked for, while a 補正 "
        "is open.",
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ApplicationPageSerializer(serializers.Serializer):
    results = ApplicationSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class DisplayItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField(required=False)
    value = serializers.CharField(allow_blank=True, allow_null=True)
    files = serializers.ListField(child=AnyJson())
    rows = serializers.ListField(child=AnyJson(), required=False)


class DisplaySectionSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    page_index = serializers.IntegerField()
    items = DisplayItemSerializer(many=True)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    field = serializers.CharField(source="field_key")
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    created_at = serializers.DateTimeField()


class EventSerializer(serializers.Serializer):
    """A line of the applicant's timeline (``procedures.selectors.TimelineEntry``)."""

    kind = serializers.CharField()
    kind_label = serializers.CharField(source="label")
    created_at = serializers.DateTimeField()
    message = serializers.CharField(
        allow_blank=True,
        help_text="The text meant for the applicant on this line: the office's "
        "message with a decision or a notice, what to correct in an amendment "
        "request, your own reason for a withdrawal. Internal comments of the "
        "office are never here.",
    )


class StaffEventSerializer(serializers.Serializer):
    """A line of the full timeline, with both texts under their own keys."""

    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    created_at = serializers.DateTimeField()
    applicant_message = serializers.CharField(
        allow_blank=True,
        help_text="Shown to the applicant (page, API, e-mail; a refusal's 理由 "
        "on the notice).",
    )
    internal_comment = serializers.CharField(
        allow_blank=True, help_text="For colleagues only; never shown to the applicant."
    )
    actor = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    visible_to_applicant = serializers.BooleanField()
    data = AnyJson()

    def get_actor(self, event) -> str | None:
        return str(event.actor) if event.actor_id else None

    def get_on_behalf_of(self, event) -> str | None:
        return str(event.on_behalf_of) if event.on_behalf_of_id else None


class AmendmentSerializer(serializers.Serializer):
    message = serializers.CharField(
        allow_blank=True, help_text="What the office asks you to correct."
    )
    fields = serializers.ListField(child=serializers.CharField())
    requested_at = serializers.DateTimeField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    title = serializers.CharField()
    approved = serializers.BooleanField()
    issued_on = serializers.DateField()


class StaffDocumentSerializer(DocumentSerializer):
    """The notice as staff see it: with the state of its issue."""

    status = serializers.CharField(help_text="pending, working, failed or issued")
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    electronic_delivery = serializers.BooleanField(
        help_text="True when the applicant consented to electronic delivery; "
        "otherwise the notice is printed and mailed."
    )
    first_downloaded_at = serializers.DateTimeField(
        allow_null=True, help_text="The applicant's first download (delivered)."
    )
    mailed_on = serializers.DateField(allow_null=True)
    mail_method = serializers.CharField(allow_blank=True)


class MailingSerializer(serializers.Serializer):
    """The record of a notice printed and mailed (発送日 and method)."""

    mailed_on = serializers.DateField()
    method = serializers.ChoiceField(
        choices=[
            "kani_kakitome",
            "kakitome",
            "haitatsu_shomei",
            "tokubetsu_sotatsu",
            "ordinary",
            "hand",
        ]
    )


class SubmitSerializer(serializers.Serializer):
    delivery_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The applicant agrees to receive the notice electronically "
        "(デジタル手続法第7条); without it the notice is mailed.",
    )


class ApplicationDetailSerializer(ApplicationSerializer):
    answers = AnyJson()
    display = DisplaySectionSerializer(many=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="What would stop submission now (drafts and amendments).",
    )
    attachments = AttachmentSerializer(many=True)
    timeline = EventSerializer(many=True)
    amendment = AmendmentSerializer(allow_null=True)
    documents = DocumentSerializer(many=True)
    addressee = AnyJson(
        help_text="The addressee of notices as recorded at submission "
        "(kind, name, representative, address; agent for 代理申請)."
    )
    delivery_consent_at = serializers.DateTimeField(allow_null=True)
    can_withdraw = serializers.BooleanField()
    editable = serializers.BooleanField()


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know instead of ignoring them: a misspelt key
    ("answer" for "answers") would otherwise be dropped without a word."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: [_("この項目は受け付けていません。")] for key in unknown}
                )
        return super().to_internal_value(data)


class ApplicationCreateSerializer(StrictSerializer):
    procedure = serializers.SlugField(max_length=32)
    answers = serializers.DictField(
        child=AnyJson(allow_null=True), required=False, default=dict
    )
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Create and submit in one request (all or nothing).",
    )
    delivery_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With submit: consent to electronic delivery of the notice.",
    )


class ApplicationUpdateSerializer(StrictSerializer):
    answers = serializers.DictField(
        child=AnyJson(allow_null=True),
        help_text="Answers by field key, merged into the stored answers (null "
        "clears one). A file field takes the ids of the attachments to keep. "
        "An answer to a question the answers hide is refused (400).",
    )


class AttachmentUploadSerializer(StrictSerializer):
    field = serializers.CharField(max_length=64)
    file = serializers.FileField(
        help_text="One file; send the part several times to attach several at "
        "once (all are checked together against max_files)."
    )


class WithdrawSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000)


# --- Staff --------------------------------------------------------------------


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case = serializers.UUIDField(source="application.public_id")
    kind = serializers.CharField()
    step = serializers.CharField(source="step_label")
    status = serializers.CharField()
    owner = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    receipt_number = serializers.CharField(source="application.receipt_number")
    applicant_name = serializers.CharField(source="application.applicant_name")
    procedure_title = serializers.CharField(
        source="application.procedure_version.title_text"
    )

    def get_owner(self, task) -> str | None:
        return str(task.owner) if task.owner_id else None

    def get_overdue(self, task) -> bool:
        return bool(task.due_date and task.due_date < timezone.localdate())


class TaskPageSerializer(serializers.Serializer):
    results = TaskSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class InboxQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=["queue", "mine"], default="queue")
    procedure = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1
    )
    kind = serializers.ChoiceField(choices=["", "review", "consult"], default="")
    overdue = serializers.BooleanField(default=False)
    q = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    sort = serializers.ChoiceField(
        choices=["oldest", "newest", "due"], default="oldest"
    )
    cursor = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )

    def validate_cursor(self, value: str) -> str:
        # workflow.selectors parses the cursor with parse_date(time), which
        # raises ValueError on well-formed but impossible dates: refuse here.
        from django.utils.dateparse import parse_date, parse_datetime

        stamp = value.rpartition("|")[0]
        try:
            parse_datetime(stamp) or parse_date(stamp)
        except ValueError as exc:
            raise serializers.ValidationError(
                _("ページの指定が正しくありません。")
            ) from exc
        return value


class CaseTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    step = serializers.CharField(source="step_label")
    status = serializers.CharField()
    owner = serializers.SerializerMethodField()
    decision = serializers.CharField(allow_blank=True)
    internal_comment = serializers.CharField(
        source="comment",
        allow_blank=True,
        help_text="For colleagues only; never shown to the applicant.",
    )
    applicant_message = serializers.CharField(
        allow_blank=True, help_text="The decision's message to the applicant."
    )
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)

    def get_owner(self, task) -> str | None:
        return str(task.owner) if task.owner_id else None


class ChainStepSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    position = serializers.CharField()
    section = serializers.CharField(allow_blank=True)
    current = serializers.BooleanField()
    done = AnyJson(allow_null=True)


class OutcomeFieldSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    required = serializers.BooleanField()
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=["favourable", "partial", "unfavourable"])
    label = serializers.CharField()
    reason_required = serializers.BooleanField(
        help_text="A message to the applicant (the reason) is required."
    )
    notice_title = serializers.CharField(allow_blank=True)
    fields = OutcomeFieldSerializer(many=True)
    limits = serializers.ListField(child=serializers.DictField())


class CaseSerializer(ApplicationSerializer):
    applicant_name = serializers.CharField()
    answers = AnyJson()
    display = DisplaySectionSerializer(many=True)
    attachments = AttachmentSerializer(many=True)
    timeline = StaffEventSerializer(many=True)
    chain = ChainStepSerializer(many=True)
    tasks = CaseTaskSerializer(many=True)
    my_task = serializers.IntegerField(allow_null=True)
    claimable_task = serializers.IntegerField(allow_null=True)
    can_pull_back = serializers.BooleanField(
        help_text="I approved the previous level and may pull the case back (引戻し)."
    )
    post_review = serializers.IntegerField(
        allow_null=True, help_text="My open post-review (後閲) of this case, if any."
    )
    consult_choices = serializers.DictField(child=serializers.CharField())
    document = StaffDocumentSerializer(allow_null=True)
    outcome = OutcomeSerializer(
        allow_null=True, help_text="The outcome decided, once the case is decided."
    )
    decision_data = serializers.DictField(
        child=AnyJson(), help_text="The values decided with the outcome, by key."
    )
    decision_display = DisplayItemSerializer(many=True)
    available_outcomes = OutcomeSerializer(
        many=True,
        help_text="The outcomes my task may decide on now (the final level's "
        "review), with the decision data fields each asks for; empty otherwise.",
    )
    draftable_outcomes = OutcomeSerializer(
        many=True,
        help_text="Below the final level, the outcomes my review may draft (起案) "
        "or amend (回議) with an approve: send outcome, decision_data and "
        "applicant_message with decision=approve.",
    )
    draft = serializers.DictField(
        child=AnyJson(),
        allow_null=True,
        help_text="The decision as drafted: outcome, decision_data, "
        "applicant_message. The final level's approve decides on it as it stands.",
    )
    draft_history = serializers.ListField(
        child=serializers.DictField(child=AnyJson()),
        help_text="Each drafting or amendment: action, level, position, by, at, "
        "changes ({field: {from, to}}).",
    )


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text="An internal comment (引戻し, 後閲): for colleagues only, never "
        "shown to the applicant.",
    )


class PostReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case = serializers.UUIDField(source="application.public_id")
    receipt_number = serializers.CharField(source="application.receipt_number")
    deputy = serializers.CharField(help_text="Who decided on my behalf (代決).")
    created_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


DECISIONS = ["approve", "send_back", "amend", "reject", "consult", "opinion"]


class DecisionSerializer(StrictSerializer):
    decision = serializers.CharField(
        max_length=32,
        help_text="approve, send_back, amend, reject, consult; decide (with "
        "outcome) or an outcome's code at the final level; opinion is the "
        "answer to a consultation (合議) task. approve and reject at the final "
        "level choose the first favourable and unfavourable outcome. The case's "
        "available_outcomes lists what this step offers.",
    )
    outcome = serializers.CharField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        help_text="The outcome's code when decision is decide.",
    )
    opinion = serializers.ChoiceField(
        choices=["agree", "conditional", "object"],
        required=False,
        default="agree",
        help_text="The answer of a consultation (合議, decision=opinion): 同意, "
        "条件付き同意 (the condition in internal_comment) or 異議 (the reason in "
        "internal_comment). An objection holds the case at the level that asked "
        "until it consults again, sends back, or approves with its reason in "
        "internal_comment.",
    )
    decision_data = serializers.DictField(
        child=AnyJson(),
        required=False,
        default=dict,
        help_text="The values the outcome's decision form asks for, by field key "
        "(for example granted_amount); checked by the same rules as an "
        "application's answers, errors under decision_data.<key>.",
    )
    applicant_message = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Message to the applicant: shown on their page and in the API, "
        "sent by e-mail, and printed as the 理由 of a refusal's notice. Required "
        "for reject (行政手続法第8条) and amend (what to correct), optional for "
        "the final approve, refused for every other decision.",
    )
    internal_comment = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text="For colleagues only, never shown to the applicant. Required "
        "for send_back, consult and opinion.",
    )
    target_level = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=100
    )
    consult_to = serializers.CharField(
        max_length=100, required=False, allow_null=True, default=None
    )
    amend_fields = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
    )
    otp_code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        allow_blank=True,
        write_only=True,
        help_text="The current code of the caller's authenticator app (or a "
        "recovery code). Needed for approve or reject at the final level (決裁) "
        "unless the browser session gave it within STAFF_REAUTH_MINUTES; without "
        "it, or when it is wrong, the answer is 403 reauthentication_required.",
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # The one text ``comment`` reached the applicant on some decisions and
        # not on others (issue 11). It is refused rather than read as either
        # text, so that no client's words change audience without a word.
        if "comment" in getattr(self, "initial_data", {}):
            raise serializers.ValidationError(
                {
                    "comment": [
                        _(
                            "「comment」は使えなくなりました。申請者に伝える文は "
                            "applicant_message に、職員向けのメモは "
                            "internal_comment に入れてください。"
                        )
                    ]
                }
            )
        decision = data["decision"]
        if decision not in DECISIONS:
            # An outcome's code (or decide): its reason rule is the outcome's,
            # which the service knows and checks.
            return data
        # Whether the level is final is known to the service, which refuses
        # a message to the applicant on an intermediate approval itself.
        errors = decision_text_errors(
            decision=decision,
            final=True,
            applicant_message=data["applicant_message"],
            internal_comment=data["internal_comment"],
        )
        if errors:
            raise serializers.ValidationError(
                {field: [message] for field, message in errors.items()}
            )
        if decision == "send_back" and data.get("target_level") is None:
            raise serializers.ValidationError(
                {"target_level": [_("差し戻す先を選んでください。")]}
            )
        if decision == "consult" and not data.get("consult_to"):
            raise serializers.ValidationError(
                {"consult_to": [_("合議先を選んでください。")]}
            )
        return data


# --- Verification and tokens -------------------------------------------------


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class VerifiedDocumentSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    approved = serializers.BooleanField()
    issued_on = serializers.DateField()
    department = serializers.CharField(source="department.name")


class SignatureSerializer(serializers.Serializer):
    readable = serializers.BooleanField()
    signed = serializers.BooleanField()
    intact = serializers.BooleanField()
    trusted = serializers.BooleanField(
        source="certificate_trusted",
        allow_null=True,
        help_text="The signing certificate leads to the prefecture's roots; "
        "null when it could not be checked (the signature value is broken).",
    )
    whole_file = serializers.BooleanField()
    signer = serializers.CharField(allow_blank=True)
    signed_at = serializers.DateTimeField(allow_null=True)


class VerificationSerializer(serializers.Serializer):
    genuine = serializers.BooleanField()
    headline = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())
    sha256 = serializers.CharField()
    matches_record = serializers.BooleanField()
    signature = SignatureSerializer(source="check")
    document = VerifiedDocumentSerializer(allow_null=True)


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(max_length=100)
    validity_days = serializers.ChoiceField(
        choices=TOKEN_VALIDITY_DAYS,
        default=TOKEN_DEFAULT_DAYS,
        write_only=True,
        help_text="How long the token works, in days (staff: at most "
        "API_STAFF_TOKEN_MAX_DAYS, 90 by default). There is no token without an "
        "expiry.",
    )
    prefix = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    expired = serializers.BooleanField(
        source="is_expired",
        read_only=True,
        help_text="Past expires_at: refused with 401 token_expired.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The validities on offer depend on who asks (``context["user"]``)."""
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None:
            days = token_validity_days_for(user)
            field = self.fields["validity_days"]
            field.choices = days
            message = validity_error(days)
            field.error_messages.update(invalid_choice=message, null=message)


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")


class BulkApproveSerializer(serializers.Serializer):
    """Several tasks to approve at once (issue 15)."""

    task_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        min_length=1,
        max_length=100,
    )
    otp_code = serializers.CharField(
        max_length=64,
        required=False,
        default="",
        allow_blank=True,
        write_only=True,
        help_text="Needed once for the batch when it holds a final-level task "
        "(決裁), unless the browser session gave the second factor within "
        "STAFF_REAUTH_MINUTES.",
    )


class BulkApproveResultSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    receipt_number = serializers.CharField()
    result = serializers.ChoiceField(choices=["done", "refused"])
    code = serializers.CharField(required=False, help_text="Why it was refused.")
    reason = serializers.CharField(required=False)


class BulkApproveAnswerSerializer(serializers.Serializer):
    approved = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BulkApproveResultSerializer(many=True)
