"""The demo's exported package is valid against the published JSON Schema."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from referencing import Registry, Resource

from procedures import packages
from procedures.models import Procedure

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "procedures/schema/procedure-package.schema.json"
FORM_SCHEMA = ROOT / "forms_builder/schema/form-definition.schema.json"
EXAMPLE = ROOT / "docs/examples/procedure-package.json"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    form_schema = json.loads(FORM_SCHEMA.read_text())
    registry = Registry().with_resource(
        form_schema["$id"], Resource.from_contents(form_schema)
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.mark.django_db
def test_demo_package_is_valid_against_the_schema():
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=StringIO()
    )
    procedure = Procedure.objects.get(code="chiiki-fukushi-josei")
    package = json.loads(
        packages.package_dumps(packages.package_export_procedure(procedure=procedure))
    )
    errors = [e.message for e in _validator().iter_errors(package)]
    assert errors == []
    assert set(package["sections"]) == {
        "route",
        "document_template",
        "applicant",
        "outcomes",
    }


def test_the_documented_example_is_valid_and_a_misspelt_key_is_not():
    example = json.loads(EXAMPLE.read_text())
    validator = _validator()
    assert [e.message for e in validator.iter_errors(example)] == []
    example["version"]["titel"] = "typo"
    assert not validator.is_valid(example)
