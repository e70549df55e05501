"""Open data: the public page, the files and the DCAT catalogue (/opendata/),
and the administrators' review and approval of a month (/manage/opendata/)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import administrator_required
from stats import opendata, services
from stats.forms import OpenDataMonthForm, parse_month
from stats.models import OpenDataFile, OpenDataRelease

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
IANA = "https://www.iana.org/assignments/media-types/"
MEDIA = {"csv": "text/csv", "json": "application/json"}


def _published() -> list[OpenDataRelease]:
    """The latest approved release of each month, newest month first."""
    latest = (
        OpenDataRelease.objects.filter(approved_at__isnull=False)
        .values("month")
        .annotate(number=Max("number"))
    )
    wanted = {(row["month"], row["number"]) for row in latest}
    releases = OpenDataRelease.objects.filter(
        approved_at__isnull=False, month__in={month for month, _n in wanted}
    ).order_by("-month", "-number")
    return [r for r in releases if (r.month, r.number) in wanted]


def opendata_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stats/opendata_index.html",
        {
            "releases": _published(),
            "license": settings.OPENDATA_LICENSE,
            "threshold": opendata.threshold(),
            "lg_code": settings.PREFECTURE_CODE,
        },
    )


def opendata_file(
    request: HttpRequest, month: str, number: int, dataset: str, fmt: str
) -> HttpResponse:
    try:
        month_start = parse_month(month)
    except ValueError as error:
        raise Http404 from error
    stored = OpenDataFile.objects.filter(
        release__approved_at__isnull=False,
        release__month=month_start,
        release__number=number,
        dataset=dataset,
        format=fmt,
    ).first()
    if stored is None or fmt not in MEDIA:
        raise Http404
    response = HttpResponse(
        bytes(stored.content), content_type=opendata.MEDIA_TYPES[fmt]
    )
    response["Content-Disposition"] = (
        f'inline; filename="{settings.PREFECTURE_CODE}_{dataset}_{month}.{fmt}"'
    )
    response["ETag"] = f'"{stored.sha256}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _text(ja: str, en: str) -> list[dict[str, str]]:
    return [{"@value": ja, "@language": "ja"}, {"@value": en, "@language": "en"}]


def opendata_catalog(request: HttpRequest) -> HttpResponse:
    """DCAT (JSON-LD) of every published file, for CKAN's harvester."""
    base = request.build_absolute_uri("/").rstrip("/")
    licence = {"@id": settings.OPENDATA_LICENSE}
    publisher = {
        "@id": f"{base}/#publisher",
        "@type": "foaf:Organization",
        "foaf:name": _text(settings.PREFECTURE_NAME, settings.PREFECTURE_NAME_EN),
    }
    releases = _published()
    datasets = []
    for release in releases:
        for dataset, (title_ja, title_en) in {
            "statistics": ("手続別の月次統計", "Monthly statistics per procedure"),
            "procedures": ("手続の一覧", "Catalogue of procedures"),
        }.items():
            month = f"{release.month:%Y-%m}"
            identifier = f"{settings.PREFECTURE_CODE}-{dataset}-{month}"
            modified = release.approved_at.date().isoformat()
            datasets.append(
                {
                    "@id": f"{base}/opendata/#{identifier}",
                    "@type": "dcat:Dataset",
                    "dct:identifier": identifier,
                    "dct:title": _text(
                        f"{title_ja}（{opendata.wareki_month(release.month)}）",
                        f"{title_en} ({month})",
                    ),
                    "dct:description": _text(
                        f"{settings.PREFECTURE_NAME}の電子申請の{title_ja}。",
                        f"{title_en} of the e-procedures of "
                        f"{settings.PREFECTURE_NAME_EN}.",
                    ),
                    "dct:publisher": publisher,
                    "dct:license": licence,
                    "dct:issued": {"@value": modified, "@type": "xsd:date"},
                    "dct:modified": {"@value": modified, "@type": "xsd:date"},
                    "dct:temporal": month,
                    "dcat:keyword": ["電子申請", "行政手続", "open data"],
                    "dcat:distribution": [
                        {
                            "@id": f"{base}{opendata.file_url(release, dataset, fmt)}",
                            "@type": "dcat:Distribution",
                            "dct:title": f"{identifier}.{fmt}",
                            "dct:format": fmt.upper(),
                            "dcat:mediaType": {"@id": IANA + MEDIA[fmt]},
                            "dcat:accessURL": {
                                "@id": f"{base}{opendata.file_url(release, dataset, fmt)}"
                            },
                            "dcat:downloadURL": {
                                "@id": f"{base}{opendata.file_url(release, dataset, fmt)}"
                            },
                            "dct:license": licence,
                        }
                        for fmt in ("csv", "json")
                    ],
                }
            )
    modified = max((r.approved_at for r in releases), default=None)
    catalog: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@id": f"{base}/opendata/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text(
            f"{settings.PREFECTURE_NAME} 電子申請オープンデータ",
            f"{settings.PREFECTURE_NAME_EN} e-procedure open data",
        ),
        "dct:description": _text(
            "電子申請の手続の一覧と月次統計です。",
            "The catalogue of e-procedures and their monthly statistics.",
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": ["ja", "en"],
        "foaf:homepage": {"@id": f"{base}/opendata/"},
        "dcat:dataset": datasets,
    }
    if modified is not None:
        catalog["dct:modified"] = {
            "@value": modified.date().isoformat(),
            "@type": "xsd:date",
        }
    response = HttpResponse(
        json.dumps(catalog, ensure_ascii=False, indent=1),
        content_type="application/ld+json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Administrators -------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def opendata_manage(request: HttpRequest) -> HttpResponse:
    form = OpenDataMonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.opendata_release_prepare(
                month=form.cleaned_data["month"],
                note=form.cleaned_data["note"],
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except services.StatsError as error:
            form.add_error(error.field if error.field else None, str(error))
        else:
            return redirect("stats:opendata_release", pk=release.pk)
    return render(
        request,
        "stats/opendata_manage.html",
        {
            "form": form,
            "releases": OpenDataRelease.objects.select_related(
                "approved_by", "prepared_by"
            )[:120],
        },
        status=400 if form.errors else 200,
    )


def _preview(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(bytes(content).decode("utf-8"))))


@administrator_required
def opendata_release(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(OpenDataRelease, pk=pk)
    previews = [
        (stored.dataset, _preview(stored.content))
        for stored in release.files.filter(format="csv")
    ]
    return render(
        request,
        "stats/opendata_release.html",
        {"release": release, "previews": previews},
    )


@administrator_required
@require_POST
def opendata_release_approve(request: HttpRequest, pk: int) -> HttpResponse:
    release = get_object_or_404(OpenDataRelease, pk=pk)
    try:
        services.opendata_release_approve(release=release, actor=request.user)
    except services.StatsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("公開しました。"))
    return redirect("stats:opendata_release", pk=release.pk)
