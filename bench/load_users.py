"""The simulated users of bench/load_bench.py (locust, one class per phase).

Each user takes its own account from the configuration the bench wrote
(``configure``) and signs in in ``on_start``; the bench measures only once
every user has (``COUNTERS["ready"]``). Requests are named by what they are,
not by their URL, so that locust's table has one row per kind of request.
"""

from __future__ import annotations

import html
import itertools
import random
import re
import uuid
from collections import Counter
from typing import Any

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

CONFIG: dict[str, Any] = {}
COUNTERS: Counter = Counter()
_next: dict[str, itertools.count] = {}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="(/staff/cases/[0-9a-f-]{36}/)"')
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
INPUT = re.compile(r"<input\b([^>]*)>")
ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def configure(config: dict[str, Any]) -> None:
    CONFIG.clear()
    CONFIG.update(config)
    _next.clear()


def reset_counters(*, keep_ready: bool = False) -> None:
    ready = COUNTERS["ready"]
    COUNTERS.clear()
    if keep_ready:
        COUNTERS["ready"] = ready


def _account(kind: str) -> dict[str, Any]:
    """The next unused account of ``kind``: one account per simulated user."""
    counter = _next.setdefault(kind, itertools.count())
    return CONFIG[kind][next(counter) % len(CONFIG[kind])]


def _csrf(page: str) -> str:
    match = CSRF.search(page)
    if match is None:
        raise StopUser("no CSRF token on the page")
    return match.group(1)


def _forms(page: str) -> dict[str, str]:
    """The page's POST forms by their action (unescaped)."""
    return {html.unescape(action): body for action, body in FORM.findall(page)}


def _inputs(form: str) -> list[dict[str, str]]:
    return [dict(ATTRIBUTE.findall(attributes)) for attributes in INPUT.findall(form)]


class _SignedIn(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def _sign_in(self, login_path: str, email: str) -> str:
        page = self.client.get(login_path, name="sign-in (not measured)").text
        response = self.client.post(
            login_path,
            data={
                "csrfmiddlewaretoken": _csrf(page),
                "username": email,
                "password": CONFIG["password"],
            },
            name="sign-in (not measured)",
        )
        return response.text or ""


class Healthz(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        COUNTERS["ready"] += 1

    @task
    def healthz(self) -> None:
        with self.client.get("/healthz", name="/healthz", catch_response=True) as r:
            if '"status": "ok"' not in (r.text or ""):
                r.failure(f"healthz answered {r.status_code}: {r.text[:200]}")


class ResidentReader(_SignedIn):
    """A resident signed in with a password, reading the portal's pages."""

    def on_start(self) -> None:
        account = _account("readers")
        self.applications = account["applications"]
        page = self._sign_in("/accounts/login/", account["email"])
        if "ログアウト" not in page:
            raise StopUser("the resident's sign-in failed")
        COUNTERS["ready"] += 1

    @task
    def read(self) -> None:
        code = CONFIG["procedure"]
        self.client.get("/", name="home")
        self.client.get("/procedures/", name="catalogue")
        self.client.get(f"/procedures/{code}/", name="procedure page")
        self.client.get("/my/", name="my applications")
        if self.applications:
            public_id = random.choice(self.applications)
            self.client.get(f"/my/{public_id}/", name="my application")


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _WithToken(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.auth = {"Authorization": f"Bearer {_account('submitters')['token']}"}
        COUNTERS["ready"] += 1


class Submitter(_WithToken):
    """A resident's system submitting through the API with a token."""

    def _post(self, path: str, name: str, expect: int, **kwargs: Any) -> Any:
        """The answer's JSON, or None (a failure recorded) on another status."""
        with self.client.post(
            path, name=name, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {response.text[:300]}")
                return None
            return response.json()

    @task
    def submit(self) -> None:
        draft = self._post(
            "/api/v1/applications/",
            "api: draft",
            201,
            json={"procedure": CONFIG["procedure"], "answers": CONFIG["answers"]},
            headers=self.auth,
        )
        if draft is None:
            return
        base = f"/api/v1/applications/{draft['id']}"
        body, content_type = _multipart(
            {"field": "plan"}, "file", "事業計画書.pdf", PDF_BYTES
        )
        headers = {**self.auth, "Content-Type": content_type}
        attached = self._post(
            f"{base}/attachments/", "api: attachment", 201, data=body, headers=headers
        )
        if attached is None:
            return
        submitted = self._post(
            f"{base}/submit/",
            "api: submit",
            200,
            json={"delivery_consent": True},
            headers=self.auth,
        )
        if submitted is not None and submitted["receipt_number"]:
            COUNTERS["applications"] += 1


_USED_STEPS: dict[str, int] = {}


class _Staff(_SignedIn):
    """A caseworker of 福祉政策課, signed in with the password and a code
    computed from the account's authenticator key. The session's second
    factor stays fresh for the whole run (STAFF_REAUTH_MINUTES), so the 決裁
    asks for no code again, as in the browser (with a token, the API asks
    for a code at every 決裁, and a code is accepted once per 30 s).
    """

    abstract = True
    landing = "/staff/inbox/"

    def on_start(self) -> None:
        # Imported here: locust must patch the standard library before
        # anything of Django's is imported (gevent inspects existing locks).
        from django_otp.oath import TOTP

        account = _account("caseworkers")
        page = self._sign_in("/staff/login/", account["email"])
        # A code is accepted once: an account signing in again within the
        # same 30 s (a later phase) types the next one, as the app allows.
        device = TOTP(bytes.fromhex(account["key"]))
        step = max(device.t(), _USED_STEPS.get(account["email"], -1) + 1)
        _USED_STEPS[account["email"]] = step
        device.time = device.t0 + step * device.step
        verify = self.client.post(
            f"/accounts/2fa/verify/?next={self.landing}",
            data={"csrfmiddlewaretoken": _csrf(page), "code": f"{device.token():06d}"},
            name="sign-in (not measured)",
        )
        # Signed in: the landing page, not the code form again.
        if verify.status_code != 200 or 'name="code"' in (verify.text or ""):
            raise StopUser("the caseworker's sign-in failed")
        self.inbox = verify.text
        COUNTERS["ready"] += 1


class Caseworker(_Staff):
    """A caseworker of 福祉政策課 working the queue of their post."""

    def _inbox(self) -> str:
        self.inbox = self.client.get("/staff/inbox/", name="inbox").text or ""
        return self.inbox

    @task
    def work(self) -> None:
        inbox = self.inbox or self._inbox()
        self.inbox = ""
        cases = CASE_LINK.findall(inbox)
        if not cases:
            COUNTERS["empty inbox"] += 1
            self._wait_for_work()
            return
        # Not always the oldest: 32 colleagues would all reach for one case.
        case_url = random.choice(cases[:20])
        page = self.client.get(case_url, name="case page").text or ""
        claim = next(
            (action for action in _forms(page) if action.endswith("/claim/")), None
        )
        if claim is None:
            COUNTERS["taken by a colleague"] += 1
            return
        with self.client.post(
            claim,
            data={"csrfmiddlewaretoken": _csrf(page)},
            name="claim",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"claim answered {response.status_code}")
                return
        page = self.client.get(case_url, name="case page").text or ""
        forms = _forms(page)
        decide = next((a for a in forms if a.endswith("/decide/")), None)
        if decide is None:
            COUNTERS["taken by a colleague"] += 1
            return
        fields = _inputs(forms[decide])
        if any(field.get("name") == "otp_code" for field in fields):
            raise StopUser("the 決裁 asks for the code again: the session is stale")
        decision = next(
            field["value"] for field in fields if field.get("name") == "decision"
        )
        with self.client.post(
            decide,
            data={"csrfmiddlewaretoken": _csrf(forms[decide]), "decision": decision},
            name="decide (final)" if decision != "approve" else "decide (approve)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.endswith("/staff/inbox/"):
                response.failure(
                    f"decide answered {response.status_code} -> {location}"
                )
                return
        COUNTERS["decisions"] += 1
        self._inbox()

    def _wait_for_work(self) -> None:
        import gevent

        gevent.sleep(0.5)
        self._inbox()


class ApiFloor(_WithToken):
    """The cheapest request with a token: my withdrawn applications (none).

    Token authentication, DRF, one query, an empty JSON page: what every
    API request pays before it does anything.
    """

    @task
    def floor(self) -> None:
        self.client.get(
            "/api/v1/applications/?status=withdrawn",
            headers=self.auth,
            name="api floor: empty list",
        )


class StaffFloor(_Staff):
    """The cheapest staff page: the caseworker's start page (/staff/).

    Session, second factor, permissions and the page frame: what every
    caseworker page pays before it shows a case.
    """

    landing = "/staff/"

    @task
    def work(self) -> None:
        self.client.get("/staff/", name="staff floor: start page")
