"""Schemathesis over the OpenAPI schema of the running server: no input makes a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from served_workspace import Served


def test_no_request_makes_a_server_error(served: Served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    # A read token: writes answer 403, so the fuzzing never starts a (minutes-long) run.
    headers = {"Authorization": f"Bearer {served.read_token}"}
    seen: list[str] = []
    for operation in operations:

        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=served.url, headers=headers)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:300])
            if response.status_code >= 400:
                assert set(response.json()["error"]) == {"code", "message"}, where
            seen.append(where)

        check()
    assert len(seen) >= len(operations)
