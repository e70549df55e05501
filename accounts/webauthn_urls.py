"""Passkeys and security keys (django-otp-webauthn) as a second factor.

The package's URLs, with its namespace (its scripts reverse
``otp_webauthn:…``), except that a completed verification also does what our
own verification page does: a new session id, and the note that the second
factor was given just now. Passwordless sign-in is off
(``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN``): a passkey is a second factor
after the password, never instead of it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views

from accounts.second_factor import SESSION_KEY, mark_fresh


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
        views.CompleteCredentialRegistrationView.as_view(),
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
