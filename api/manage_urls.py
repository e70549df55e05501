from django.urls import path

from api.views import tokens

app_name = "api_manage"
urlpatterns = [path("", tokens.manage_tokens_page, name="tokens")]
