from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name", "full_name_kana"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("プロフィール"),
            {
                "fields": [
                    "full_name",
                    "full_name_kana",
                    "postal_code",
                    "address",
                    "phone",
                    "birth_date",
                    "preferred_language",
                ]
            },
        ),
        (
            _("権限"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("日時"), {"fields": ["last_login", "date_joined", "email_verified_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})
    ]
