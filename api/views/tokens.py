"""API tokens: the JSON endpoints and the page where people make and revoke them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.second_factor import is_fresh, second_factor_required
from api import selectors, services
from api import serializers as s
from api.errors import ApiError
from api.forms import TokenForm
from api.models import ApiToken
from api.throttles import TokenCreateThrottle
from api.views.common import check_id, id_parameter
from core.decorators import administrator_required


class TokenListCreate(APIView):
    def get_throttles(self):
        return [TokenCreateThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=s.TokenSerializer(many=True), summary="My API tokens")
    def get(self, request):
        tokens = selectors.api_tokens_of(user=request.user)[:100]
        return Response(s.TokenSerializer(tokens, many=True).data)

    @extend_schema(
        request=s.TokenSerializer,
        responses={201: s.TokenCreatedSerializer},
        summary="Make a token (browser session only; the secret is shown once)",
    )
    def post(self, request):
        # A token cannot make tokens: a leaked one must not multiply itself.
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            raise ApiError(
                _("トークンはログインした画面からだけ作れます。"),
                code="session_required",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        if second_factor_required(request) and not is_fresh(request._request):
            raise ApiError(
                _(
                    "トークンを作る前に、画面でもう一度確認コードを入力してください"
                    "（%(url)s）。"
                )
                % {"url": _fresh_url()},
                code="reauthentication_required",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        serializer = s.TokenSerializer(
            data=request.data, context={"user": request.user}
        )
        serializer.is_valid(raise_exception=True)
        token, raw = services.api_token_create(
            user=request.user,
            name=serializer.validated_data["name"],
            days=serializer.validated_data["validity_days"],
            request=request._request,
        )
        body = {**s.TokenSerializer(token).data, "token": raw}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevoke(APIView):
    @extend_schema(
        responses={204: None},
        parameters=[id_parameter("token_id")],
        summary="Revoke one of my tokens",
    )
    def delete(self, request, token_id: int):
        check_id(token_id)
        token = selectors.api_token_of(user=request.user, pk=token_id)
        services.api_token_revoke(
            token=token, user=request.user, request=request._request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The page -----------------------------------------------------------------


def _fresh_url() -> str:
    return (
        reverse("accounts:otp_verify")
        + "?"
        + urlencode({"fresh": "1", "next": reverse("api:tokens")})
    )


def _page(
    request: HttpRequest,
    *,
    form: TokenForm,
    created: str = "",
    created_token: ApiToken | None = None,
    code: int = 200,
):
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": list(selectors.api_tokens_of(user=request.user)[:100]),
            "created": created,
            "created_token": created_token,
            "base_template": "base_staff.html"
            if request.user.is_staff
            else "base.html",
        },
        status=code,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, form=TokenForm(user=request.user))
    if second_factor_required(request) and not is_fresh(request):
        # The second factor again, then back to this page to make the token.
        return redirect(_fresh_url())
    form = TokenForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form=form, code=400)
    throttle = TokenCreateThrottle()
    if not throttle.allow_request(request, None):
        form.add_error(
            None, _("短い時間に多くのトークンが作られました。しばらく待ってください。")
        )
        return _page(request, form=form, code=429)
    token, raw = services.api_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        days=form.cleaned_data["validity_days"],
        request=request,
    )
    # The secret is shown on this one answer and never again (only its hash is kept).
    response = _page(
        request, form=TokenForm(user=request.user), created=raw, created_token=token
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    check_id(pk)
    token = selectors.api_token_of(user=request.user, pk=pk)
    services.api_token_revoke(token=token, user=request.user, request=request)
    messages.success(
        request, _("トークン「%(name)s」を無効にしました。") % {"name": token.name}
    )
    return redirect("api:tokens")


# --- Administrators: every staff token ------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def manage_tokens_page(request: HttpRequest) -> HttpResponse:
    """Staff tokens that still work, and revoking one (a leaked or unused key)."""
    if request.method == "POST":
        try:
            pk = check_id(int(request.POST.get("token", "")))
        except ValueError:
            raise Http404 from None
        token = get_object_or_404(selectors.staff_tokens_active(), pk=pk)
        services.api_token_revoke_by_administrator(
            token=token, actor=request.user, request=request
        )
        messages.success(
            request,
            _("%(owner)s のトークン「%(name)s」を無効にしました。")
            % {"owner": token.user.email, "name": token.name},
        )
        return redirect("api_manage:tokens")
    return render(
        request,
        "api/tokens_manage.html",
        {"tokens": list(selectors.staff_tokens_active()[:500])},
    )
