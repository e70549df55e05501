"""State changes of accounts: registration, e-mail verification, profile,
second factor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import User
from accounts.second_factor import RECOVERY_NAME, TOTP_NAME
from core.audit import audit_record
from core.outbox import outbox_mail
from core.roles import CASEWORKER_PERMISSION

_VERIFY_SALT = "accounts.email-verification"
VERIFY_MAX_AGE_SECONDS = 3 * 24 * 3600


class VerificationError(Exception):
    pass


def email_verification_token(user: User) -> str:
    # The e-mail is inside the token so that a changed address voids it.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_VERIFY_SALT)


def send_templated_mail(
    *, user: User, template: str, context: dict[str, Any], about: Any = None
) -> None:
    """Send ``<template>_subject.txt`` / ``<template>_body.txt`` in the user's language.

    Call it inside the transaction of the change the mail reports: it writes
    the message to the outbox, which a worker delivers after the commit.
    """
    outbox_mail(
        **render_templated_mail(user=user, template=template, context=context),
        about=about,
    )


def render_templated_mail(
    *, user: User, template: str, context: dict[str, Any]
) -> dict[str, str]:
    """The ``to``, ``subject`` and ``body`` of ``send_templated_mail``, unsent
    (for a caller that renders before its short write transaction)."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    return {"to": user.email, "subject": subject, "body": body}


@transaction.atomic
def resident_register(
    *, email: str, password: str, full_name: str, preferred_language: str = "ja"
) -> User | None:
    """Create an inactive resident account and mail the verification link.

    For an address that already has an account, nothing is created and its
    owner is mailed that someone tried to register it (None): the page says
    the same in both cases, so it does not reveal which addresses exist.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        login_link = settings.SITE_URL + reverse(
            "staff_auth:login" if existing.is_staff else "accounts:login"
        )
        transaction.on_commit(
            lambda: send_templated_mail(
                user=existing,
                template="accounts/email/already_registered",
                context={"login_link": login_link},
            )
        )
        return None
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        preferred_language=preferred_language,
        is_active=False,
    )
    link = settings.SITE_URL + reverse(
        "accounts:verify_email", kwargs={"token": email_verification_token(user)}
    )
    send_templated_mail(
        user=user, template="accounts/email/verify", context={"link": link}
    )
    return user


def resident_verify_email(*, token: str) -> User:
    """Activate the account the token was made for."""
    try:
        data = signing.loads(token, salt=_VERIFY_SALT, max_age=VERIFY_MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise VerificationError("expired") from exc
    except signing.BadSignature as exc:
        raise VerificationError("invalid") from exc
    user = User.objects.filter(pk=data["u"], email=data["e"]).first()
    if user is None:
        raise VerificationError("invalid")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
    return user


def profile_update(*, user: User, data: dict[str, Any]) -> User:
    """Save the resident's profile fields (already validated by the form)."""
    fields = [
        "full_name",
        "full_name_kana",
        "postal_code",
        "address",
        "phone",
        "birth_date",
        "preferred_language",
        "business_name",
        "corporate_number",
        "business_postal_code",
        "business_address",
        "representative_title",
        "representative_name",
    ]
    for field in fields:
        if field in data:
            setattr(user, field, data[field])
    user.full_clean(exclude=["password"])
    user.save(update_fields=[field for field in fields if field in data])
    return user


# --- Second factor (django-otp) ----------------------------------------------

RECOVERY_CODE_COUNT = 10


def otp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the enrolment page shows as a QR code.

    The same device is shown again on reload (the person may have scanned it
    already); a confirmed device is never replaced here.
    """
    device = TOTPDevice.objects.filter(
        user=user, name=TOTP_NAME, confirmed=False
    ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def otp_enrolment_confirm(
    *, user: User, device: TOTPDevice, token: str
) -> list[str] | None:
    """Confirm ``device`` with a code from the app; returns new recovery codes.

    None when the code is wrong (the device counts the failure and slows
    further tries down). Any other authenticator of the account is removed:
    one phone at a time, so a lost phone is replaced, not kept working.
    """
    if device.user_id != user.pk or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_create(user=user)
    # Staff keep the name the log has always used; a resident opting in is
    # an account event (a stolen password could enrol the thief's phone).
    audit_record(
        action="staff.second_factor_enrol"
        if user.is_staff
        else "account.second_factor_enrol",
        actor=user,
        target=user,
        data={"device": "authenticator"},
    )
    return codes


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; the previous ones stop working."""
    device, _created = StaticDevice.objects.update_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


@transaction.atomic
def otp_disable(*, user: User) -> None:
    """Turn a resident's second factor off (staff cannot: theirs is required)."""
    if user.is_staff or user.is_superuser:
        raise PermissionError("staff accounts keep their second factor")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    audit_record(action="account.second_factor_disable", actor=user, target=user)


@transaction.atomic
def second_factor_reset(*, user: User, actor: User) -> int:
    """Remove every second-factor device of ``user`` (a lost phone or key).

    Their sessions stop counting as verified at once (the device they name is
    gone); a staff account is sent to enrolment at its next sign-in. Returns
    how many devices were removed.
    """
    removed = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    audit_record(
        action="staff.second_factor_reset",
        actor=actor,
        target=user,
        data={"devices": removed},
    )
    return removed


def staff_invitation_link(user: User) -> str:
    """The password-setting link of a staff invitation (Django's reset link)."""
    return settings.SITE_URL + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def staff_account_create(*, email: str, full_name: str) -> User:
    """Create a caseworker account without a password and mail the invitation.

    Nobody but the member of staff ever knows the password: the account has
    an unusable one, so it cannot sign in until its holder sets one through
    the link (a password-reset token, voided once used).
    """

    user = User.objects.create_user(
        email=email, password=None, full_name=full_name, is_staff=True
    )
    app_label, codename = CASEWORKER_PERMISSION.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    staff_invitation_send(user=user)
    return user


def staff_invitation_send(*, user: User) -> None:
    """(Re)send the mail with which a new member of staff sets a password."""
    send_templated_mail(
        user=user,
        template="accounts/email/staff_invitation",
        context={"link": staff_invitation_link(user)},
    )
