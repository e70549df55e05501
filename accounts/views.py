import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import limits, lockout, services
from accounts.forms import (
    AdministratorLoginForm,
    CaseworkerLoginForm,
    ProfileForm,
    RateLimitedLoginForm,
    RegistrationForm,
    SecondFactorCodeForm,
)
from accounts.models import User
from accounts.second_factor import (
    SESSION_KEY,
    code_refused,
    has_second_factor,
    is_fresh,
    mark_fresh,
)
from core import roles
from core.decorators import administrator_required

MAIL_LIMIT_MESSAGE = gettext_lazy(
    "短い時間に多くの申込みがありました。1時間ほどたってからもう一度お試しください。"
)


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view (same answer whether or not the address has an
    account), with an hourly limit per client address and per e-mail."""

    def form_valid(self, form):
        if not limits.mail_request_allowed(
            self.request, kind="password_reset", email=form.cleaned_data["email"]
        ):
            form.add_error(None, MAIL_LIMIT_MESSAGE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class ResidentLoginView(auth_views.LoginView):
    form_class = RateLimitedLoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.OIDC_RP_CLIENT_ID and context["area"] == "resident":
            context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {
        "area": "resident",
        "area_title": gettext_lazy("ログイン"),
        "base_template": "base.html",
    }


class CaseworkerLoginView(ResidentLoginView):
    form_class = CaseworkerLoginForm
    next_page = reverse_lazy("core:staff_home")
    extra_context = {
        "area": "caseworker",
        "area_title": gettext_lazy("職員ログイン（審査）"),
        "base_template": "base_staff.html",
    }

    def get_default_redirect_url(self) -> str:
        return str(self.next_page)


class AdministratorLoginView(CaseworkerLoginView):
    form_class = AdministratorLoginForm
    next_page = reverse_lazy("core:manage_home")
    extra_context = {
        "area": "administrator",
        "area_title": gettext_lazy("職員ログイン（手続管理）"),
        "base_template": "base_manage.html",
    }


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not limits.mail_request_allowed(
            request, kind="register", email=form.cleaned_data["email"]
        ):
            form.add_error(None, MAIL_LIMIT_MESSAGE)
            return render(request, "accounts/register.html", {"form": form}, status=429)
        services.resident_register(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            preferred_language=form.cleaned_data["preferred_language"],
        )
        return render(
            request,
            "accounts/register_done.html",
            {"email": form.cleaned_data["email"]},
        )
    return render(request, "accounts/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.resident_verify_email(token=token)
    except services.VerificationError as error:
        return render(
            request,
            "accounts/verify_failed.html",
            {"expired": str(error) == "expired"},
            status=400,
        )
    messages.success(request, _("メールアドレスを確認しました。ログインしてください。"))
    return redirect("accounts:login")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, data=form.cleaned_data)
        messages.success(request, _("登録情報を保存しました。"))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "second_factor": has_second_factor(request.user)},
    )


# --- Second factor -------------------------------------------------------------


def _base_template(user: Any) -> str:
    return "base_staff.html" if user.is_staff else "base.html"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    user = request.user
    if roles.is_caseworker(user):
        return reverse("core:staff_home")
    if roles.is_administrator(user):
        return reverse("core:manage_home")
    return reverse("accounts:profile")


def _verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    # A new session id once the second factor is in: one seen before it
    # (on a shared screen, in a log) must not become a verified session.
    request.session.cycle_key()
    request.session[SESSION_KEY] = True
    mark_fresh(request)


def _recovery_codes_page(request: HttpRequest, codes: list[str]) -> HttpResponse:
    # The only time the codes are shown; the calling views are never_cache,
    # so the browser does not keep the page either.
    return render(
        request,
        "accounts/otp_recovery_codes.html",
        {
            "codes": codes,
            "next": _next_url(request),
            "base_template": _base_template(request.user),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code, then a code from the app to confirm."""
    user = request.user
    if has_second_factor(user) and not user.is_verified():
        # Only a verified session may replace the phone: a password alone
        # must not enrol the attacker's authenticator.
        return redirect_to_login(_next_url(request), "accounts:otp_verify")
    device = services.otp_enrolment_start(user=user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.otp_enrolment_confirm(
            user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            _verified(request, device)
            return _recovery_codes_page(request, codes)
        form.add_error(
            "code",
            _(
                "確認コードが正しくありません。アプリに表示されている"
                "最新の6桁を入力してください。"
            ),
        )
    secret = base64.b32encode(device.bin_key).decode("ascii")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "required": user.is_staff or user.is_superuser,
            "base_template": _base_template(user),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or a recovery code.

    With ``fresh``, a verified session gives the code again before an act
    that needs a recent one (a new API token).
    """
    user = request.user
    fresh = bool(request.POST.get("fresh") or request.GET.get("fresh"))
    if user.is_verified() and not (fresh and not is_fresh(request)):
        return redirect(_next_url(request))
    if not has_second_factor(user):
        return redirect_to_login(_next_url(request), "accounts:otp_setup")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _(
                        "回復コードを使いました（残り%(count)d個）。"
                        "使ったコードはもう使えません。"
                    )
                    % {"count": device.token_set.count()},
                )
            return redirect(_next_url(request))
        code_refused(
            user=user, purpose="reauthentication" if fresh else "login", request=request
        )
        form.add_error(
            "code",
            _(
                "確認コードが正しくありません。続けて間違えると、"
                "しばらく受け付けなくなります。"
            ),
        )
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "fresh": fresh,
            "passkeys": WebAuthnCredential.objects.filter(
                user=user, confirmed=True
            ).exists(),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "base_template": _base_template(user),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@never_cache
def otp_passkeys(request: HttpRequest) -> HttpResponse:
    """Register passkeys or security keys (verified sessions only)."""
    user = request.user
    if not (has_second_factor(user) and user.is_verified()):
        return redirect("accounts:otp_setup")
    return render(
        request,
        "accounts/otp_passkeys.html",
        {
            "credentials": WebAuthnCredential.objects.filter(
                user=user, confirmed=True
            ).order_by("created_at"),
            "base_template": _base_template(user),
        },
    )


@login_required
@never_cache
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    user = request.user
    if not (has_second_factor(user) and user.is_verified()):
        return redirect("accounts:otp_setup")
    return _recovery_codes_page(request, services.recovery_codes_create(user=user))


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    """A resident turns their second factor off (staff cannot)."""
    user = request.user
    if user.is_staff or user.is_superuser:
        raise PermissionDenied
    services.otp_disable(user=user)
    request.session[SESSION_KEY] = False
    messages.success(request, _("2段階認証をやめました。"))
    return redirect("accounts:profile")


# --- Login lockouts ----------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def lockout_list(request: HttpRequest) -> HttpResponse:
    """Accounts locked out from an address, and lifting a lockout early."""
    if request.method == "POST":
        username = request.POST.get("username", "").strip().lower()
        count = lockout.lockout_clear(username=username, actor=request.user)
        if count:
            messages.success(
                request,
                _("%(email)s のログイン停止を解除しました。") % {"email": username},
            )
        else:
            messages.info(
                request,
                _("%(email)s は停止されていません。") % {"email": username},
            )
        return redirect("manage_auth:lockouts")
    return render(
        request, "accounts/lockout_list.html", {"lockouts": lockout.lockouts_current()}
    )


@administrator_required
@require_POST
def second_factor_reset(request: HttpRequest) -> HttpResponse:
    """An administrator clears a colleague's second factor (lost phone)."""
    email = request.POST.get("email", "").strip()
    user = User.objects.filter(email__iexact=email, is_staff=True).first()
    if user is None or (user.is_superuser and not request.user.is_superuser):
        messages.error(
            request,
            _("%(email)s という職員のアカウントはありません。") % {"email": email},
        )
    else:
        services.second_factor_reset(user=user, actor=request.user)
        messages.success(
            request,
            _("%(email)s の2段階認証をリセットしました。次のログインで設定し直します。")
            % {"email": user.email},
        )
    return redirect("manage_auth:lockouts")
