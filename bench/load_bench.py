"""Load bench (issue 15): the platform served by gunicorn on PostgreSQL under
simulated users, each scenario's throughput and latency as a ratio to
``/healthz`` measured in the same run.

    .venv/bin/python bench/load_bench.py [--users 32] [--seconds 25]

Not part of ``make bench`` (it takes two to three minutes and the whole
machine). Everything is on loopback and thrown away at the end:

1. a scratch PostgreSQL database ``bench_load`` on 127.0.0.1:5432 (user
   postgres; ``BENCH_DB_NAME`` overrides), a private redis-server (cache:
   throttles, lockout counts), an SMTP sink (aiosmtpd) for the outbox;
2. ``migrate``, ``seed_demo`` (the demo organisation and its grant
   procedure), then the bench's own accounts: one caseworker account per
   simulated caseworker (担当, 係長 and 課長 of 福祉政策課 in turn, each
   with its own authenticator key), residents with passwords or API
   tokens, and cases already waiting at each level of the route;
3. gunicorn with ``DJANGO_DEBUG`` off (``--workers``, ``--threads``) and
   the background worker (``manage.py run_worker``), which issues the
   notices and sends the mail as in production;
4. four phases with the same number of users, one after the other, each
   measured for ``--seconds`` after every user has signed in (the password
   hashing of the sign-ins is not measured):

   - ``healthz``: ``GET /healthz`` (database, storage, cache, static);
   - ``resident reads``: a signed-in resident reads the home page, the
     catalogue, the procedure's page, the list of their applications and
     one of them;
   - ``submission``: a resident's system submits through the API with a
     token: the draft with its answers, the attachment (multipart), submit;
   - ``caseworker``: a caseworker signed in with password and second
     factor (the code computed from the account's key) opens the inbox,
     opens a case from it, claims the task, sees the case again and
     decides (approve at 担当 and 係長; the grant, the 決裁, at 課長), then
     lands on the inbox again;
   - with ``--phases …,api-floor,staff-floor``: the cheapest request with a
     token and the cheapest caseworker page, what any request of the two
     pays before it does anything.

Users wait for nothing between requests (a closed loop): each phase's
requests/s is what the server gives that many users, and the latency
grows with the queue. Prints requests/s and p50/p95/p99 per phase and per
request, the ratios to ``healthz``, the errors, and where the CPU went
(gunicorn, the worker, the database's backends, the load generator).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = os.environ.get("BENCH_DB_NAME", "bench_load")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
# The collected static files (two minutes of compression) are kept between
# runs and collected again only when a source file changed.
STATIC_CACHE = BASE_DIR / "var" / "load-bench-static"
LEVELS = ("tanto", "kakaricho", "kacho")
SEED_PARTS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin_connection():
    import psycopg

    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    )


def create_database() -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def bench_env(var_dir: Path, port: int, redis_port: int, smtp_port: int) -> dict:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    fonts = BASE_DIR / "var" / "fonts" / "NotoSerifCJKjp-JIS2004-Regular.otf"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{port}",
            # Plain HTTP on loopback: no TLS proxy in front.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "AUDIT_HMAC_KEYS": f"bench:{secrets.token_urlsafe(32)}",
            # 30 submissions an hour per account is the production limit;
            # the bench's residents submit many a minute.
            "API_THROTTLE_SUBMIT": "1000000/hour",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    if fonts.exists():
        env["DOCUMENT_FONT_SUPPLEMENT"] = str(fonts)
    return env


def _manage(env: dict, *args: str, log: Path) -> None:
    started = time.monotonic()
    with log.open("a") as out:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    print(f"  manage.py {args[0]}: {time.monotonic() - started:.0f} s", flush=True)


def _static_fingerprint() -> str:
    """Names, sizes and times of the static sources, and the pinned packages."""
    digest = hashlib.sha256((BASE_DIR / "requirements.txt").read_bytes())
    for folder in sorted([BASE_DIR / "static", *BASE_DIR.glob("*/static")], key=str):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def static_files(env: dict, var_dir: Path, log: Path) -> None:
    fingerprint = _static_fingerprint()
    stamp = STATIC_CACHE / ".fingerprint"
    if not (stamp.exists() and stamp.read_text() == fingerprint):
        print("collecting static files (kept for the next runs) …", flush=True)
        shutil.rmtree(STATIC_CACHE, ignore_errors=True)
        STATIC_CACHE.mkdir(parents=True)
        collect_dir = STATIC_CACHE.parent / "load-bench-collect"
        shutil.rmtree(collect_dir, ignore_errors=True)
        _manage(
            {**env, "DJANGO_VAR_DIR": str(collect_dir)},
            "collectstatic",
            "--noinput",
            "-v0",
            log=log,
        )
        shutil.rmtree(STATIC_CACHE)
        (collect_dir / "static").rename(STATIC_CACHE)
        shutil.rmtree(collect_dir, ignore_errors=True)
        stamp.write_text(fingerprint)
    (var_dir / "static").symlink_to(STATIC_CACHE)


class Services:
    """The processes of one run, stopped in reverse order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.stopping: list[Any] = []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("a")
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process))
        return process

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for stop in self.stopping:
            stop()

    def pids(self, name: str) -> list[int]:
        return [p.pid for n, p in self.processes if n == name]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def _wait_for_healthz(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited early (see its log)")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz", timeout=5
            ) as response,
        ):
            body = json.load(response)
            if body["status"] != "ok":
                raise RuntimeError(f"/healthz answers {body}")
            return
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


# --- The bench's own accounts and cases (run in a subprocess with Django) ---

PASSWORD = "load-bench-pass-2026"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ANSWERS = {
    "applicant_name": {"name": "山田 太郎", "kana": "ヤマダ タロウ"},
    "postal_code": "100-0001",
    "address": "架空県架空市中央1-2-3",
    "phone": "090-1234-5678",
    "organisation_type": "group",
    "group_name": "中央地区見守りの会",
    "project_title": "高齢者の見守り訪問",
    "purpose": "一人暮らしの高齢者を週に一度訪ね、困りごとを聞いて関係機関につなぎます。",
    "start_date": "2027-04-01",
    "amount": 500_000,
    "members": [
        {"name": "山田 太郎", "role": "leader"},
        {"name": "鈴木 花子", "role": "volunteer"},
    ],
    "consent": True,
}


def _django() -> None:
    import django

    sys.path.insert(0, str(BASE_DIR))
    django.setup()


def seed_accounts(out: Path, *, caseworkers: int, residents: int) -> None:
    """One account per simulated user, written to ``out`` for the users."""
    import datetime as dt

    _django()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.second_factor import TOTP_NAME
    from api.services import api_token_create
    from demo.organisation import CASEWORKER_GROUP
    from demo.procedure import PROCEDURE_CODE
    from organisation.models import Assignment, Position, Section

    hashed = make_password(PASSWORD)  # hashed once: the accounts share it
    section = Section.objects.get(code="fukushi-seisaku")
    positions = {code: Position.objects.get(code=code) for code in LEVELS}
    group = Group.objects.get(name=CASEWORKER_GROUP)
    config: dict[str, Any] = {
        "procedure": PROCEDURE_CODE,
        "password": PASSWORD,
        "answers": ANSWERS,
        "caseworkers": [],
        "readers": [],
        "submitters": [],
    }
    for n in range(caseworkers):
        level = LEVELS[n % len(LEVELS)]
        user = User.objects.create(
            email=f"load-cw{n}@example.jp",
            full_name=f"負荷 職員{n}",
            is_staff=True,
            password=hashed,
        )
        user.groups.add(group)
        Assignment.objects.create(
            user=user,
            section=section,
            position=positions[level],
            start_date=dt.date(2026, 4, 1),
        )
        key = secrets.token_hex(20)
        TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True)
        config["caseworkers"].append({"email": user.email, "key": key, "level": level})
    for n in range(residents):
        reader = User.objects.create(
            email=f"load-reader{n}@example.jp",
            full_name=f"負荷 住民{n}",
            password=hashed,
        )
        config["readers"].append({"email": reader.email, "applications": []})
        submitter = User.objects.create(
            email=f"load-api{n}@example.jp",
            full_name=f"負荷 申請者{n}",
            password=hashed,
        )
        _token, raw = api_token_create(user=submitter, name="load bench")
        config["submitters"].append({"token": raw})
    out.write_text(json.dumps(config, ensure_ascii=False))
    # The first notice would otherwise make the signing certificate (a
    # development one: no PKCS#12 file is configured) while measured.
    from documents.signing import get_signer

    get_signer()


def seed_cases(config_path: Path, *, part: int, parts: int, cases: int) -> None:
    """Part ``part`` of ``cases`` cases waiting at each of 担当, 係長 and 課長,
    submitted by the readers (their "my applications" list); the demo's 担当
    and 係長 move them up. Writes the readers' applications beside the
    configuration."""
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from procedures import services as procedures
    from procedures.models import Procedure
    from workflow import queue
    from workflow.models import CaseTask

    config = json.loads(config_path.read_text())
    readers = {
        reader.email: reader
        for reader in User.objects.filter(
            email__in=[r["email"] for r in config["readers"]]
        )
    }
    emails = [r["email"] for r in config["readers"]]
    procedure = Procedure.objects.get(code=config["procedure"])
    movers = [User.objects.get(email=f"{level}@example.jp") for level in LEVELS[:2]]
    owned: dict[str, list[str]] = {}
    for n in range(part, cases * len(LEVELS), parts):
        email = emails[n % len(emails)]
        application = procedures.application_start(
            procedure=procedure, applicant=readers[email]
        )
        application = procedures.application_save_answers(
            application=application,
            answers=ANSWERS,
            new_files={
                "plan": [
                    SimpleUploadedFile(
                        "事業計画書.pdf", PDF_BYTES, content_type="application/pdf"
                    )
                ]
            },
        )
        application = procedures.application_submit(
            application=application, delivery_consent=True
        )
        owned.setdefault(email, []).append(str(application.public_id))
        for mover in movers[: n % len(LEVELS)]:
            task_id = CaseTask.objects.get(
                process_id=application.case.pk, status="NEW", kind="review"
            ).pk
            queue.task_decide_from_queue(
                task_id=task_id,
                case_id=application.case.pk,
                user=mover,
                decision="approve",
            )
    Path(f"{config_path}.part{part}").write_text(json.dumps(owned))


# --- Measuring ---------------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and their children (gunicorn's workers)."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            processes = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for each in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = each.cpu_times()
                total += times.user + times.system
    return total


def _database_backends_cpu() -> float:
    """CPU of the PostgreSQL backends serving the bench's database."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if cmdline.startswith("postgres:") and f" {DB_NAME} " in cmdline:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
    return total


def cpu_snapshot(services: Services) -> dict[str, float]:
    import psutil

    machine = psutil.cpu_times()
    return {
        "gunicorn": _cpu_seconds(services.pids("gunicorn")),
        "worker": _cpu_seconds(services.pids("worker")),
        "postgres": _database_backends_cpu(),
        "locust": sum(psutil.Process().cpu_times()[:2]),
        "idle": machine.idle + getattr(machine, "iowait", 0.0),
        "total": sum(machine),
        "wall": time.monotonic(),
    }


def run_phase(
    name: str,
    user_class: Any,
    *,
    users: int,
    seconds: float,
    warmup: float,
    host: str,
    services: Services,
) -> dict[str, Any]:
    import gevent
    import load_users
    from locust.env import Environment

    load_users.reset_counters()
    environment = Environment(user_classes=[user_class], host=host)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + 120
    while load_users.COUNTERS["ready"] < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    # The sign-ins (password hashing) and the first requests of each kind
    # (each gunicorn worker's first one loads code and fills caches) are
    # not measured.
    gevent.sleep(warmup)
    runner.stats.reset_all()
    load_users.reset_counters(keep_ready=True)
    before = cpu_snapshot(services)
    gevent.sleep(seconds)
    after = cpu_snapshot(services)
    stats = runner.stats
    elapsed = after["wall"] - before["wall"]
    total = stats.total
    result = {
        "name": name,
        "users": users,
        "ready": load_users.COUNTERS["ready"],
        "seconds": elapsed,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / elapsed,
        "p50": total.get_response_time_percentile(0.50),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "by_request": [
            {
                "name": entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "rps": entry.num_requests / elapsed,
                "p50": entry.get_response_time_percentile(0.50),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
            for entry in sorted(stats.entries.values(), key=lambda e: e.name)
            if entry.num_requests
        ],
        "errors": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ],
        "counters": dict(load_users.COUNTERS),
        "cpu": {
            key: (after[key] - before[key])
            for key in ("gunicorn", "worker", "postgres", "locust")
        },
        "machine_busy": 1
        - (after["idle"] - before["idle"])
        / max(after["total"] - before["total"], 1e-9),
    }
    runner.quit()
    return result


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def server_ms(result: dict[str, Any]) -> float:
    """CPU of gunicorn, the worker and the database per request measured."""
    cpu = result["cpu"]
    spent = cpu["gunicorn"] + cpu["worker"] + cpu["postgres"]
    return 1000 * spent / max(result["requests"], 1)


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    healthz = results[0]
    print()
    print(
        f"users {args.users} per phase, {args.seconds:.0f} s measured per phase; "
        f"gunicorn --workers {args.workers} --threads {args.threads}; "
        f"load average before {args.load_before}"
    )
    print()
    header = (
        "| phase | req/s | x healthz | p50 ms | p95 ms | p99 ms | p95 x healthz "
        "| errors | machine busy | CPU s: gunicorn / worker / postgres / locust "
        "| server CPU ms per request |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for result in results:
        cpu = result["cpu"]
        print(
            f"| {result['name']} | {result['rps']:.1f} "
            f"| {result['rps'] / healthz['rps']:.3f} "
            f"| {_ms(result['p50'])} | {_ms(result['p95'])} | {_ms(result['p99'])} "
            f"| {result['p95'] / max(healthz['p95'], 1e-9):.1f} "
            f"| {result['failures']} | {result['machine_busy']:.0%} "
            f"| {cpu['gunicorn']:.1f} / {cpu['worker']:.1f} / {cpu['postgres']:.1f}"
            f" / {cpu['locust']:.1f} "
            f"| {server_ms(result):.1f} |"
        )
    print()
    print("| phase | request | req/s | p50 ms | p95 ms | p99 ms | failures |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        for entry in result["by_request"]:
            print(
                f"| {result['name']} | {entry['method']} {entry['name']} "
                f"| {entry['rps']:.1f} | {_ms(entry['p50'])} | {_ms(entry['p95'])} "
                f"| {_ms(entry['p99'])} | {entry['failures']} |"
            )
    print()
    for result in results:
        counters = {k: v for k, v in result["counters"].items() if k != "ready"}
        if counters:
            per_second = ", ".join(
                f"{key} {value} ({value / result['seconds']:.1f}/s)"
                for key, value in sorted(counters.items())
            )
            print(f"{result['name']}: {per_second}")
        for error in result["errors"]:
            print(f"  error {error['count']}x {error['name']}: {error['error'][:300]}")
    by_name = {r["name"]: r for r in results}
    targets = [f"errors 0: {sum(r['failures'] for r in results)}"]
    if "submission" in by_name:
        ratio = by_name["submission"]["rps"] / healthz["rps"]
        targets.append(f"submission req/s >= 0.1x healthz: {ratio:.3f}")
    if "caseworker" in by_name:
        ratio = by_name["caseworker"]["p95"] / max(healthz["p95"], 1e-9)
        targets.append(f"caseworker p95 <= 15x healthz p95: {ratio:.1f}")
    print()
    print("targets: " + "; ".join(targets))
    # What the ratios follow, less moved by other load on the machine.
    costs = ", ".join(
        f"{result['name']} {server_ms(result) / server_ms(healthz):.1f}x"
        for result in results[1:]
    )
    print(f"server CPU per request against healthz: {costs}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds before measuring"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads")
    parser.add_argument(
        "--bg-workers", type=int, default=1, help="manage.py run_worker processes"
    )
    parser.add_argument(
        "--cases", type=int, default=0, help="cases waiting at each level at start"
    )
    parser.add_argument(
        "--phases",
        default="healthz,reads,submission,caseworker",
        help="comma list; also api-floor and staff-floor: the cheapest request "
        "with a token and the cheapest caseworker page",
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the logs"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="serve the database and accounts a --keep run left in DIR again "
        "(no set-up; the cases already decided stay decided)",
    )
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        if args.part is None:
            seed_accounts(args.seed, caseworkers=args.users, residents=args.users)
        else:
            seed_cases(args.seed, part=args.part, parts=SEED_PARTS, cases=args.cases)
        return
    args.cases = args.cases or max(60, int(args.seconds * 4))
    args.load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    run(args)


def run(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(BASE_DIR))
    from tests.redisserver import RedisServer

    reuse = args.reuse is not None
    work = args.reuse or Path(tempfile.mkdtemp(prefix="load-bench-"))
    var_dir = work / "var"
    var_dir.mkdir(exist_ok=True)
    port, redis_port, smtp_port = _free_port(), _free_port(), _free_port()
    env = bench_env(var_dir, port, redis_port, smtp_port)
    services = Services(work)
    config_path = work / "config.json"
    if not reuse:
        create_database()
    try:
        # The tests' private Redis (a free port, no persistence).
        redis = RedisServer(port=redis_port)
        redis.start()
        services.stopping.append(redis.stop)
        smtp = services.start(
            "smtp",
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{smtp_port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            env,
        )
        _wait_for_port(smtp_port, smtp, 10)
        if not reuse:
            set_up(args, env, work, config_path)
        gunicorn = [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
        ]
        server = services.start("gunicorn", gunicorn, env)
        for _ in range(args.bg_workers):
            services.start("worker", [sys.executable, "manage.py", "run_worker"], env)
        _wait_for_healthz(port, server)
        results = measure(args, f"http://127.0.0.1:{port}", config_path, services)
        report(results, args)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "args": {k: str(v) for k, v in vars(args).items()},
                        "results": results,
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
    finally:
        services.stop()
        if args.keep or reuse:
            print(f"kept: database {DB_NAME}, configuration and logs in {work}")
        else:
            drop_database()
            shutil.rmtree(work, ignore_errors=True)


def _together(commands: list[list[str]], env: dict, log: Path) -> None:
    """Run ``commands`` at the same time; raise when one fails."""
    with log.open("a") as out:
        processes = [
            subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )
            for command in commands
        ]
        if any(process.wait() for process in processes):
            raise RuntimeError(f"{' '.join(commands[0][1:3])} failed (see {log})")


def set_up(args: argparse.Namespace, env: dict, work: Path, config_path: Path) -> None:
    started = time.monotonic()
    log = work / "setup.log"
    print(f"setting up in {work} …", flush=True)
    _manage(env, "migrate", "--noinput", log=log)
    static_files(env, work / "var", log)
    _manage(env, "seed_demo", "--allow-demo-passwords-in-production", log=log)
    seeding = time.monotonic()
    seed = [sys.executable, __file__, "--seed", str(config_path)]
    seed += ["--users", str(args.users), "--cases", str(args.cases)]
    _together([seed], env, log)
    # The cases in two processes (two cores); each writes its part.
    _together([[*seed, "--part", str(part)] for part in range(SEED_PARTS)], env, log)
    config = json.loads(config_path.read_text())
    for part in range(SEED_PARTS):
        owned = json.loads(Path(f"{config_path}.part{part}").read_text())
        for reader in config["readers"]:
            reader["applications"] += owned.get(reader["email"], [])
    config_path.write_text(json.dumps(config, ensure_ascii=False))
    print(f"  bench accounts and cases: {time.monotonic() - seeding:.0f} s")
    # Mail and notices of the seeded cases, before anything is measured.
    # Two at once: each job is claimed by one of them.
    draining = time.monotonic()
    once = [sys.executable, "manage.py", "run_worker", "--once"]
    _together([once] * SEED_PARTS, env, log)
    print(f"  mail and notifications of the cases: {time.monotonic() - draining:.0f} s")
    print(f"set up in {time.monotonic() - started:.0f} s", flush=True)


def measure(
    args: argparse.Namespace, host: str, config_path: Path, services: Services
) -> list[dict[str, Any]]:
    # Locust patches the standard library for gevent when imported: only
    # now, after every subprocess of the set-up has run.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import load_users

    load_users.configure(json.loads(config_path.read_text()))
    classes = {
        "healthz": load_users.Healthz,
        "reads": load_users.ResidentReader,
        "submission": load_users.Submitter,
        "caseworker": load_users.Caseworker,
        "api-floor": load_users.ApiFloor,
        "staff-floor": load_users.StaffFloor,
    }
    names = {
        "healthz": "healthz",
        "reads": "resident reads",
        "submission": "submission",
        "caseworker": "caseworker",
        "api-floor": "api floor",
        "staff-floor": "staff floor",
    }
    results = []
    for phase in args.phases.split(","):
        print(f"phase {names[phase]} …", flush=True)
        results.append(
            run_phase(
                names[phase],
                classes[phase],
                users=args.users,
                seconds=args.seconds,
                warmup=args.warmup,
                host=host,
                services=services,
            )
        )
    return results


if __name__ == "__main__":
    main()
