"""Passkeys and security keys (django-otp-webauthn) as a second factor.

The package's URLs, with its namespace (its scripts reverse
``otp_webauthn:…``), except that a completed verification also does what our
own verification page does: a new session id, and the note that the second
factor was given just now, and a registered passkey is audited as an
enrolment. Passwordless sign-in is off
(``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN``): a passkey is a second factor
after the password, never instead of it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views

from accounts.second_factor import SESSION_KEY, mark_fresh


class CompleteRegistrationView(views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        from core.audit import audit_record

        response = super().post(*args, **kwargs)
        user = self.request.user
        if response.status_code == 200 and user.is_staff:
            # A new way past the second step, like a new phone.
            audit_record(
                action="staff.second_factor_enrol",
                actor=user,
                target=user,
                data={"device": "passkey"},
                request=self.request,
            )
        return response


class CompleteVerificationView(views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        if not self.request.user.is_authenticated:
            raise PermissionDenied  # the password comes first
        super().complete_auth(device)
        self.request.session.cycle_key()
        self.request.session[SESSION_KEY] = True
        mark_fresh(self.request)


app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/",
        views.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        CompleteRegistrationView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteVerificationView.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
