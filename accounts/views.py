from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.forms import (
    AdministratorLoginForm,
    CaseworkerLoginForm,
    ProfileForm,
    RateLimitedLoginForm,
    RegistrationForm,
)


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
    return render(request, "accounts/profile.html", {"form": form})
