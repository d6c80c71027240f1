"""The OpenAPI schema: drf-spectacular's own validation passes without a warning (the
same as ``manage.py spectacular --validate --fail-on-warn``), and it is served."""

import json

from django.core.management import call_command
from drf_spectacular.drainage import reset_generator_stats


def test_spectacular_validates_without_warnings(capsys, tmp_path):
    # Warnings are remembered per process (and emitted once): start from none, so
    # that each one this generation meets is counted.
    reset_generator_stats()
    target = tmp_path / "schema.json"
    try:
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(target),
        )
    except Exception as exc:  # SchemaGenerationError or SchemaValidationError
        raise AssertionError(f"{exc}\n{capsys.readouterr().err}") from exc
    finally:
        reset_generator_stats()
    schema = json.loads(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_the_schema_is_served(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["info"]["version"] == "1.0.0"
