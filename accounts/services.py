"""State changes of accounts: registration, e-mail verification, profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.outbox import outbox_mail

_VERIFY_SALT = "accounts.email-verification"
VERIFY_MAX_AGE_SECONDS = 3 * 24 * 3600


class VerificationError(Exception):
    pass


def email_verification_token(user: User) -> str:
    # The e-mail is inside the token so that a changed address voids it.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_VERIFY_SALT)


def send_templated_mail(*, user: User, template: str, context: dict[str, Any]) -> None:
    """Send ``<template>_subject.txt`` / ``<template>_body.txt`` in the user's language.

    Call it inside the transaction of the change the mail reports: it writes
    the message to the outbox, which a worker delivers after the commit.
    """
    outbox_mail(**render_templated_mail(user=user, template=template, context=context))


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
) -> User:
    """Create an inactive resident account and mail the verification link."""
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
    ]
    for field in fields:
        if field in data:
            setattr(user, field, data[field])
    user.full_clean(exclude=["password"])
    user.save(update_fields=[field for field in fields if field in data])
    return user
