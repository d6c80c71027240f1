"""Schemathesis against the API on a live test server, a few examples per operation:
the cheap version of ``.ci/schemathesis`` (which runs thousands of cases) that
``make test`` runs. Same settings (.ci/schemathesis.toml: the checks, the generation,
the dictionaries of real objects), as an official with an API key; any 5xx or a
response the schema does not describe fails."""

import tomllib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from tests.api.schemathesis_data import callers_prepare, dictionary_values

CONFIG = Path(__file__).resolve().parent.parent.parent / ".ci" / "schemathesis.toml"
EXAMPLES = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api_schema(live_server):
    """The live server's schema, called as an official, with a small history."""
    from io import StringIO

    from django.core.management import call_command

    call_command("generate_history", requests=40, years=1, stdout=StringIO())
    callers = callers_prepare()
    data = tomllib.loads(CONFIG.read_text())
    data["headers"]["Authorization"] = f"Token {callers.keys['official']}"
    data["dictionaries"] = {
        name: {"values": values} for name, values in dictionary_values(callers).items()
    }
    config = SchemathesisConfig.from_dict(data)
    return schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/", config=config
    )


def test_every_operation(api_schema, subtests):
    """Valid and invalid input for each operation, each a subtest."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the schema lists no operation"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                _examples(operation.as_strategy(generation_mode=mode))


def _examples(cases) -> None:
    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate()

    call()


def test_stateful(api_schema):
    """Chains of calls along the links schemathesis infers (a list's numbers into the
    detail, a create's Location into its reads)."""
    machine = api_schema.as_state_machine()
    assert machine.bundles, "no links between operations: nothing to chain"
    machine.run(
        settings=settings(
            max_examples=EXAMPLES * 2,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
