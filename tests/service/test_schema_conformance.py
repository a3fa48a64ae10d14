"""Schema-true API: generated requests (schemathesis) by every role, on both stores.

Every answer must be a status the OpenAPI document lists for the operation,
with the documented content type and a body that fits the documented schema,
and never a 5xx. The default run makes a few cases per operation and caller;
``make schemathesis`` sets IPSMATCH_SCHEMATHESIS_CASES for the full run (over
5,000 cases per store) and writes its figures to IPSMATCH_SCHEMATHESIS_REPORT.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from conftest import Api
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Per operation, caller and mode (valid or invalid requests).
CASES = int(os.environ.get("IPSMATCH_SCHEMATHESIS_CASES", "1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CALLERS = (None, "anna", "jens", "ida", "root")


def _runner(
    strategy: Any,
    label: str,
    who: str | None,
    headers: dict[str, str],
    cases: Counter[str],
    failures: list[dict[str, Any]],
) -> Any:
    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        cases[who or "anonymous"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, FailureGroup) as failure:
            kind = "server error" if response.status_code >= 500 else "schema violation"
            failures.append(
                {
                    "operation": label,
                    "caller": who,
                    "status": response.status_code,
                    "kind": kind,
                    "failure": str(failure)[:400],
                }
            )

    return run


def test_every_answer_is_in_the_openapi_document(stocked: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", stocked.client.app)
    cases: Counter[str] = Counter()
    failures: list[dict[str, Any]] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        # Valid requests and invalid ones (wrong types, missing fields, out-of-range values).
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(mode)
            for who in CALLERS:
                headers = stocked.headers(who) if who else {}
                _runner(strategy, operation.label, who, headers, cases, failures)()
    figures = {
        "store": stocked.database.dialect,
        "cases": sum(cases.values()),
        "by_caller": dict(cases),
        "server_errors": sum(f["kind"] == "server error" for f in failures),
        "schema_violations": sum(f["kind"] == "schema violation" for f in failures),
    }
    report = os.environ.get("IPSMATCH_SCHEMATHESIS_REPORT")
    if report:
        with Path(report).open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(figures) + "\n")
    assert failures == [], json.dumps(failures[:10], indent=1)
