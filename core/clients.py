"""Who is asking: the client's address, the same for every record that names it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the proxy's last X-Forwarded-For entry when behind one.

    The proxy appends the address it saw; entries before it come from the
    client and may be forged, so only the last one counts. Without
    ``DJANGO_BEHIND_PROXY`` the header is ignored (anyone could write it).
    django-axes counts failed logins by this address too
    (``AXES_CLIENT_IP_CALLABLE``), so the audit log names the address a
    lockout is about.
    """
    if settings.BEHIND_PROXY:
        hops = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
