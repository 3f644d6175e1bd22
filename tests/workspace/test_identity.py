"""Identity stitching: linked ids, deterministic unified ids, reasons."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmint.sources.identity import (
    IdentityRecords,
    normalise_domain,
    normalise_email,
    normalise_phone,
    stitch_identities,
)


def _crm() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "email": ["a@acme.com", "b@beta.io", None],
            "domain": ["acme.com", "beta.io", "gamma.kr"],
        }
    )


def _billing() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["B9", "B8", "B7"],
            "email": [" A@ACME.com ", "z@gmail.com", "q@gamma.kr"],
            "crm_ref": [None, "C2", None],
        }
    )


def test_records_linked_by_email_domain_and_explicit_link() -> None:
    mapping = stitch_identities(
        [
            IdentityRecords("crm", "crm", _crm()),
            IdentityRecords("billing", "billing", _billing(), {"crm_ref": "crm"}),
            IdentityRecords("payments", "billing", pd.DataFrame({"customer_id": ["B9", "B5"]})),
        ],
        match_keys=["email", "domain"],
    )
    unified = dict(
        zip(mapping["namespace"] + "/" + mapping["source_id"], mapping["customer_id"], strict=True)
    )
    assert unified["billing/B9"] == "C1"  # same email (case and spaces ignored)
    assert unified["billing/B8"] == "C2"  # explicit link column; gmail domain ignored
    assert unified["billing/B7"] == "C3"  # same company domain, derived from the email
    assert unified["billing/B5"] == "billing:B5"  # unmatched secondary-namespace id keeps a prefix
    reasons = dict(zip(mapping["source_id"], mapping["linked_by"], strict=True))
    assert "email=a@acme.com" in reasons["B9"]
    assert reasons["B8"] == "billing.crm_ref=C2"
    assert reasons["B5"] == "own id"


def test_unified_id_is_independent_of_row_order() -> None:
    crm, billing = _crm(), _billing()
    first = stitch_identities(
        [IdentityRecords("crm", "crm", crm), IdentityRecords("billing", "billing", billing)],
        match_keys=["email"],
    )
    second = stitch_identities(
        [
            IdentityRecords("crm", "crm", crm.iloc[::-1]),
            IdentityRecords("billing", "billing", billing.iloc[::-1]),
        ],
        match_keys=["email"],
    )
    pd.testing.assert_frame_equal(first, second)


def test_unknown_match_key_lists_allowed() -> None:
    with pytest.raises(ValueError, match="allowed: email, domain, phone"):
        stitch_identities([], match_keys=["name"])


def test_normalisers() -> None:
    assert normalise_email(pd.Series([" X@Y.COM", "nope"])).tolist()[0] == "x@y.com"
    assert normalise_email(pd.Series(["nope"])).isna().all()
    assert (
        normalise_domain(pd.Series(["https://www.Acme.com/about", "naver.com"])).tolist()[0]
        == "acme.com"
    )
    assert normalise_domain(pd.Series(["naver.com"])).isna().all()
    assert normalise_phone(pd.Series(["+82 10-1234-5678"])).tolist() == ["821012345678"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.sampled_from(["x@q.com", "y@q.com", None]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_id_maps_to_exactly_one_customer(rows: list[tuple[str, str | None]]) -> None:
    frame = pd.DataFrame(rows, columns=["customer_id", "email"])
    mapping = stitch_identities([IdentityRecords("s", "customer", frame)], match_keys=["email"])
    assert set(mapping["source_id"]) == set(frame["customer_id"])
    assert not mapping.duplicated(["namespace", "source_id"]).any()
    # ids sharing an email end up together
    for _email, group in frame.dropna().groupby("email"):
        ids = mapping[mapping["source_id"].isin(group["customer_id"])]["customer_id"]
        assert ids.nunique() == 1
