"""Render + sign time of an official document, beside a bare WeasyPrint page.

Prints medians of the same run side by side (ratios are what hold across
machines), documents per second on one core, and the worker's memory.
The benchmark document is a notice of issue 14 (decision data, a reason,
five levels and two 合議 on the approval record, two pages); the old
one-page permit is measured beside it. Two floors are measured in the same
run: a bare one-line WeasyPrint page, and one line of Japanese in the
document fonts through the same PDF/A path (what any page in these fonts
costs). Target: notice render + sign <= 10x the bare page, issuing worker
under 250 MB resident.

    .venv/bin/python bench/bench_documents.py [iterations]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# The font supplement the documents print names with (make run builds it in
# var/); without it every 𠮷 comes from the full Noto face, 4x slower.
os.environ.setdefault(
    "DOCUMENT_FONT_SUPPLEMENT",
    str(
        Path(__file__).resolve().parent.parent
        / "var/fonts/NotoSerifCJKjp-JIS2004-Regular.otf"
    ),
)
# A throw-away development certificate, not the one in var/.
os.environ.setdefault("DJANGO_VAR_DIR", tempfile.mkdtemp(prefix="bench-documents-"))

import django

django.setup()


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _approvals(chain: list[tuple]) -> list[dict]:
    return [
        {
            "level": level,
            "position": position,
            "name": name,
            "section": section,
            "action": "consult" if mark.startswith("合議") else "approve",
            "decided_at": decided_at,
            "mark": mark,
            "on_behalf_of": behalf,
        }
        for (level, position, name, section, mark, behalf, decided_at) in chain
    ]


def realistic_snapshot() -> dict:
    """A 減額交付決定通知書 as issue 14 issues it: decision data, reason, 合議.

    The keys ``documents.services.build_snapshot`` freezes: a business
    addressee, the outcome, the decided values (``decision``) beside the
    answers the template shows, the reason a partly favourable outcome
    states, and an approval record of five levels and two 合議 answered
    with their opinion (seven stamps, one 代決, one 専決); two pages.
    """
    from documents.defaults import PRESETS, sample_snapshot

    s = sample_snapshot()
    s["title"] = "減額交付決定通知書"
    s["addressee"] = {
        "kind": "business",
        "name": "株式会社﨑山製作所",
        "representative_title": "代表取締役",
        "representative_name": "髙橋 𠮷郎",
        "postal_code": "000-0000",
        "address": "架空県見本市中央一丁目2番3号 サンプルビル4階",
    }
    s["procedure"] = {
        "title": "中小企業省エネルギー設備導入支援補助金交付申請",
        "receipt_number": "SH-R8-00345",
        "submitted_on": "2026-09-14",
    }
    s["answers"] = [
        {
            "label": "補助事業の名称",
            "value": "高効率空調設備への更新による省エネルギー化事業",
        },
        {"label": "補助対象経費", "value": "12,480,000円"},
        {"label": "交付申請額", "value": "4,160,000円"},
    ]
    s["outcome"] = {
        "code": "reduced",
        "kind": "partial",
        "label": "減額交付決定",
        "label_en": "Reduced grant",
    }
    conditions = (
        "1　補助事業の内容又は経費の配分を変更する場合は、あらかじめ知事の承認を"
        "受けること。\n2　補助事業を中止し、又は廃止する場合は、あらかじめ知事の"
        "承認を受けること。\n3　補助事業が完了したときは、完了の日から起算して"
        "30日以内に実績報告書を提出すること。\n4　取得した財産は、補助事業の完了"
        "後も善良な管理者の注意をもって管理すること。"
    )
    s["decision"] = [
        {"key": "granted_amount", "label": "交付決定額", "value": "3,850,000円"},
        {
            "key": "rate",
            "label": "補助率",
            "value": "補助対象経費の3分の1以内（上限4,000,000円）",
        },
        {
            "key": "period",
            "label": "補助事業の期間",
            "value": "交付決定の日から令和9年2月26日まで",
        },
        {"key": "conditions", "label": "交付の条件", "value": conditions},
        {
            "key": "reduction",
            "label": "減額の内容",
            "value": "既設設備の撤去費 310,000円は補助対象外経費のため除外",
        },
    ]
    for item in s["decision"]:
        item["rows"] = []
    s["decision_data"] = {"granted_amount": 3850000}
    s["reason"] = (
        "交付申請額のうち、既設空調設備の撤去及び処分に要する経費（310,000円）は、"
        "架空県中小企業省エネルギー設備導入支援補助金交付要綱第5条第2項の規定により"
        "補助対象経費に含まれないため、これを除いた額の3分の1を交付決定額とした。"
    )
    s["approvals"] = _approvals(
        [
            (
                1,
                "担当",
                "田中 一郎",
                "産業振興課",
                "",
                None,
                "2026-10-20T10:00:00+09:00",
            ),
            (2, "主査", "佐藤 健", "産業振興課", "", None, "2026-10-21T11:00:00+09:00"),
            (
                3,
                "財政課",
                "吉田 直子",
                "財政課",
                "合議（同意）",
                None,
                "2026-10-22T14:00:00+09:00",
            ),
            (
                3,
                "環境政策課",
                "渡邉 聡",
                "環境政策課",
                "合議（条件付同意）",
                None,
                "2026-10-23T09:30:00+09:00",
            ),
            (
                4,
                "係長",
                "鈴木 花子",
                "産業振興課",
                "",
                None,
                "2026-10-26T10:00:00+09:00",
            ),
            (
                5,
                "課長",
                "髙橋 美咲",
                "産業振興課",
                "代決",
                "山﨑 隆之",
                "2026-10-27T16:00:00+09:00",
            ),
            (
                6,
                "部長",
                "齋藤 徳太郎",
                "商工労働部",
                "専決",
                None,
                "2026-10-28T15:00:00+09:00",
            ),
        ]
    )
    s["template"] = {**PRESETS["grant"], "html": "", "css": ""}
    return s


def disclosure_snapshot() -> dict:
    """A 公文書部分開示決定通知書: the parts withheld as a repeating group."""
    from documents.defaults import PRESETS, sample_snapshot

    s = sample_snapshot()
    s["title"] = "公文書部分開示決定通知書"
    s["addressee"] = {
        "kind": "person",
        "name": "渡辺 𠮷子",
        "postal_code": "000-0000",
        "address": "架空県見本市港町五丁目6番7号",
    }
    s["procedure"] = {
        "title": "公文書開示請求",
        "receipt_number": "FK-R8-00102",
        "submitted_on": "2026-10-05",
    }
    s["answers"] = [
        {
            "label": "開示を請求する公文書の件名または内容",
            "value": "令和7年度に福祉政策課が実施した地域福祉活動助成金の審査に関する文書（審査表、審査会議事録）",
        },
        {"label": "開示の実施の方法", "value": "電子データで受け取る"},
    ]
    s["outcome"] = {
        "code": "disclose_partly",
        "kind": "partial",
        "label": "部分開示決定",
        "label_en": "Partial disclosure",
    }
    withheld = [
        (
            "審査表の申請者欄（個人の氏名、住所、電話番号）",
            "個人情報",
            "特定の個人を識別することができる情報であるため。",
        ),
        (
            "審査会議事録のうち委員の発言者名",
            "審議検討情報",
            "公にすることにより、率直な意見の交換が不当に損なわれるおそれがあるため。",
        ),
        (
            "審査表の法人の財務状況欄",
            "法人等情報",
            "公にすることにより、当該法人の競争上の地位を害するおそれがあるため。",
        ),
    ]
    s["decision"] = [
        {
            "key": "withheld",
            "label": "不開示とした部分とその理由",
            "value": "",
            "rows": [
                [
                    {"label": "部分", "value": part},
                    {"label": "理由（不開示情報）", "value": exemption},
                    {"label": "理由の説明", "value": explanation},
                ]
                for part, exemption, explanation in withheld
            ],
        }
    ]
    s["reason"] = (
        "不開示とした部分は、上記のとおり情報公開条例第7条各号に定める不開示情報に該当するため。"
    )
    s["approvals"] = _approvals(
        [
            (
                1,
                "担当",
                "田中 一郎",
                "福祉政策課",
                "",
                None,
                "2026-10-12T10:00:00+09:00",
            ),
            (
                2,
                "文書課",
                "中村 恵",
                "文書課",
                "合議（同意）",
                None,
                "2026-10-13T13:00:00+09:00",
            ),
            (
                2,
                "係長",
                "鈴木 花子",
                "福祉政策課",
                "",
                None,
                "2026-10-14T10:00:00+09:00",
            ),
            (
                3,
                "課長",
                "髙橋 美咲",
                "福祉政策課",
                "専決",
                None,
                "2026-10-15T15:00:00+09:00",
            ),
        ]
    )
    s["template"] = {**PRESETS["notice"], "html": "", "css": ""}
    return s


def timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    from weasyprint import HTML  # noqa: TID251

    from documents.defaults import sample_snapshot
    from documents.rendering import font_configuration, font_face_css, html_to_pdf
    from documents.services import render_and_sign

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    if not Path(os.environ["DOCUMENT_FONT_SUPPLEMENT"]).exists():
        print(
            "warning: no font supplement (manage.py build_font_supplement): 𠮷 prints from full Noto"
        )
    notice = realistic_snapshot()
    disclosure = disclosure_snapshot()
    permit = sample_snapshot()

    def bare() -> bytes:
        return HTML(string="<p>Hello</p>").write_pdf()

    # The floor: one line of Japanese in the document fonts, through the same
    # function as a document (PDF/A-3b, glyph guard, the worker's fonts), so
    # it pays what any page in these fonts pays: loading and subsetting them
    # (𠮷 is only in the Noto fallback, as in the notice's addressee).
    cjk_line = (
        f"<html lang='ja'><style>{font_face_css()}"
        " html { font-family: var(--document-fonts) }</style>"
        "<p>髙橋 𠮷郎 様</p></html>"
    )

    def bare_cjk() -> bytes:
        return html_to_pdf(cjk_line)

    # Warm-up: the first render loads fonts into the process's one
    # FontConfiguration; it is paid once per worker, not per document.
    started = time.perf_counter()
    render_and_sign(notice)
    first = (time.perf_counter() - started) * 1000
    render_and_sign(permit)
    render_and_sign(disclosure)
    bare()
    bare_cjk()
    font_configuration()

    steps = {
        "bare one-line WeasyPrint PDF": bare,
        "one CJK line, document fonts, PDF/A": bare_cjk,
        "notice (issue 14) render + sign": lambda: render_and_sign(notice),
        "disclosure notice render + sign": lambda: render_and_sign(disclosure),
        "permit (one page) render + sign": lambda: render_and_sign(permit),
    }
    # Interleaved, so that the machine's noise hits every step alike.
    # CPU time beside wall time: on the shared machine the wall clock of a
    # 9 ms bare page moves by half with the other sessions' load, its CPU
    # time much less, so the ratio in CPU time is the steadier one.
    results: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(n):
        for name, fn in steps.items():
            started = time.process_time()
            results[name] += timed(fn, 1)
            cpu[name].append((time.process_time() - started) * 1000)
    bare_name, cjk_name = (
        "bare one-line WeasyPrint PDF",
        "one CJK line, document fonts, PDF/A",
    )
    baseline = statistics.median(results[bare_name])
    floor = statistics.median(results[cjk_name])
    cpu_baseline = statistics.median(cpu[bare_name])
    print(f"documents bench: {n} iterations, one process (one core)")
    print(
        f"{'':38} {'median ms':>10} {'p95 ms':>8} {'x bare':>7} {'x CJK':>6}"
        f" {'CPU ms':>7} {'CPU x bare':>10}"
    )
    for name, times in results.items():
        median = statistics.median(times)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        cpu_median = statistics.median(cpu[name])
        print(
            f"{name:38} {median:10.1f} {p95:8.1f} "
            f"{median / baseline:7.1f} {median / floor:6.1f}"
            f" {cpu_median:7.1f} {cpu_median / cpu_baseline:10.1f}"
        )
    total = statistics.median(results["notice (issue 14) render + sign"])
    print(f"first document in a fresh worker: {first:.0f} ms (fonts loaded once)")
    print(f"notices per second per core: {1000 / total:.1f}")
    print(
        f"this bench process: {rss_mb():.0f} MB resident now, "
        f"{peak_rss_mb():.0f} MB peak (it also renders the bare pages)"
    )
    worker_now, worker_peak = _issuing_worker_memory(n)
    print(
        f"issuing worker ({n} notices, nothing else): {worker_now:.0f} MB "
        f"resident, {worker_peak:.0f} MB peak"
    )
    ratio_ok = total <= 10 * baseline
    print(
        "target (notice render + sign <= 10x bare, < 250 MB):",
        "met" if ratio_ok and worker_peak < 250 else "NOT met",
    )


def _issuing_worker_memory(n: int) -> tuple[float, float]:
    """Resident memory of a process that does only what an issuing worker does."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(n)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def worker(n: int) -> None:
    # What documents.services.document_issue does per document in a Celery
    # worker, minus the database and the storage: render, sign, give freed
    # memory back.
    from core.background import mark_worker_process

    mark_worker_process()  # as in `run_worker` or a Celery child
    from documents.rendering import release_memory
    from documents.services import render_and_sign

    snapshot = realistic_snapshot()
    for _ in range(n):
        render_and_sign(snapshot)
        release_memory()
    # VmHWM, not ru_maxrss: a child started by fork+exec inherits its
    # parent's ru_maxrss (the bench process's own peak).
    print(f"{rss_mb():.1f} {rss_mb('VmHWM'):.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(int(sys.argv[2]))
    else:
        main()
