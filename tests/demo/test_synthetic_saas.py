"""The synthetic SaaS generator: contract columns, consistency, planted behaviours, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.contract import CONTRACTS
from segmint.demo.synthetic_saas import (
    ACTIVATION_FEATURES,
    KOREAN_HEADERS,
    TABLES,
    generate_saas,
    write_saas_csvs,
)

END = pd.Timestamp("2025-07-01")  # the day after the default end


@pytest.fixture(scope="module")
def saas() -> dict[str, pd.DataFrame]:
    return generate_saas(n_accounts=600, seed=1)


@pytest.fixture(scope="module")
def lifetimes(saas: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per account: created_at, churn_date and the end of its observed life."""
    frame = saas["customers"][["customer_id", "created_at"]].merge(saas["truth"], on="customer_id")
    frame["end_at"] = frame["churn_date"].fillna(END)
    return frame


def test_tables_use_contract_columns_and_types(saas: dict[str, pd.DataFrame]) -> None:
    for name in TABLES:
        frame = saas[name]
        contract = CONTRACTS[name]
        assert set(contract.required) <= set(frame.columns), name
        extra = set(frame.columns) - set(contract.columns)
        assert extra <= {"technologies"}, (name, extra)
        for column, kind in contract.columns.items():
            if column not in frame.columns:
                continue
            if kind == "timestamp":
                assert frame[column].dtype == "datetime64[ns]", (name, column)
            elif kind in ("money", "float"):
                assert frame[column].dtype == "float64", (name, column)
    money = [saas["transactions"]["amount"], saas["subscriptions"]["mrr"]]
    for series in money:
        assert np.allclose(series, series.round(2))
    assert saas["customers"]["customer_id"].is_unique
    assert saas["customers"]["customer_id"].iloc[0] == "ACC-00001"
    assert saas["customers"]["domain"].is_unique
    assert saas["transactions"]["invoice_id"].is_unique
    assert saas["tickets"]["ticket_id"].is_unique


def test_customer_attributes_are_plausible(saas: dict[str, pd.DataFrame]) -> None:
    customers = saas["customers"]
    assert set(customers["industry"]) == {
        "software", "manufacturing", "finance", "retail", "healthcare", "education", "media"
    }  # fmt: skip
    assert customers["country"].value_counts().idxmax() == "KR"
    assert set(customers["plan"]) <= {"starter", "growth", "enterprise"}
    assert customers["name"].str.contains(r"[가-힣]").sum() >= 20  # some Korean company names
    assert (customers["employees"] >= 2).all()
    assert customers["email"].str.split("@").str[1].eq(customers["domain"]).all()
    assert customers["email_consent"].dtype == bool
    # the current plan is the plan of the latest subscription row
    latest = saas["subscriptions"].sort_values("started_at").groupby("customer_id")["plan"].last()
    assert customers.set_index("customer_id")["plan"].equals(
        latest.reindex(customers["customer_id"])
    )


def test_every_customer_id_exists_in_customers(saas: dict[str, pd.DataFrame]) -> None:
    known = set(saas["customers"]["customer_id"])
    for name in ("subscriptions", "events", "tickets", "transactions", "truth"):
        assert set(saas[name]["customer_id"]) <= known, name
    assert set(saas["subscriptions"]["customer_id"]) == known


def test_nothing_happens_outside_an_accounts_life(
    saas: dict[str, pd.DataFrame], lifetimes: pd.DataFrame
) -> None:
    bounds = lifetimes.set_index("customer_id")
    for name, column in (
        ("events", "occurred_at"),
        ("tickets", "opened_at"),
        ("transactions", "occurred_at"),
    ):
        frame = saas[name]
        created = frame["customer_id"].map(bounds["created_at"])
        ended = frame["customer_id"].map(bounds["end_at"])
        assert (frame[column] >= created).all(), name
        assert (frame[column] < ended).all(), name  # no activity after churn or after the end
    subs = saas["subscriptions"]
    last = subs.sort_values("started_at").groupby("customer_id").tail(1).set_index("customer_id")
    churned = bounds["will_churn"]
    assert (last.loc[churned[churned].index, "status"] == "churned").all()
    assert last.loc[churned[churned].index, "ended_at"].equals(
        bounds.loc[churned[churned].index, "churn_date"].rename("ended_at")
    )
    assert last.loc[churned[~churned].index, "ended_at"].isna().all()
    # subscription periods of one account follow each other without gaps
    ordered = subs.sort_values(["customer_id", "started_at"])
    following = ordered.groupby("customer_id")["started_at"].shift(-1)
    closed = following.notna()
    assert (ordered.loc[closed, "ended_at"] == following[closed]).all()


def test_invoices_bill_the_subscription_in_force(saas: dict[str, pd.DataFrame]) -> None:
    paid = saas["transactions"].query("status == 'paid'").sort_values("occurred_at")
    subs = saas["subscriptions"].sort_values("started_at")
    matched = pd.merge_asof(
        paid, subs[["customer_id", "started_at", "mrr"]], left_on="occurred_at",
        right_on="started_at", by="customer_id",
    )  # fmt: skip
    assert np.allclose(matched["amount"], matched["mrr"])
    refunds = saas["transactions"].query("status == 'refund'")
    assert len(refunds) > 0
    assert (refunds["amount"] < 0).all()
    assert refunds["invoice_id"].str.startswith("C").all()


def test_usage_declines_before_churn(
    saas: dict[str, pd.DataFrame], lifetimes: pd.DataFrame
) -> None:
    events = saas["events"].merge(lifetimes, on="customer_id")
    churners = lifetimes[lifetimes["will_churn"]]
    churners = churners[(churners["churn_date"] - churners["created_at"]).dt.days >= 180]
    assert len(churners) >= 50
    ratios = []
    for row in churners.itertuples():
        mine = events[events["customer_id"] == row.customer_id]["occurred_at"]
        last_60 = (mine >= row.churn_date - pd.Timedelta(days=60)).sum() / 60
        cut = row.churn_date - pd.Timedelta(days=90)
        earlier = (mine < cut).sum() / max((cut - row.created_at).days, 1)
        ratios.append(last_60 / earlier if earlier else np.nan)
    assert np.nanmedian(ratios) < 0.5


def test_tickets_escalate_before_churn(saas: dict[str, pd.DataFrame]) -> None:
    tickets = saas["tickets"].merge(saas["truth"][["customer_id", "churn_date"]], on="customer_id")
    pre_churn = tickets["churn_date"].notna() & (
        tickets["opened_at"] >= tickets["churn_date"] - pd.Timedelta(days=90)
    )
    high = tickets["priority"].isin(["high", "urgent"])
    assert high[pre_churn].mean() > 2 * high[~pre_churn].mean()
    assert tickets.loc[pre_churn, "csat"].mean() < tickets.loc[~pre_churn, "csat"].mean() - 1.0
    assert set(tickets["priority"]) == {"low", "normal", "high", "urgent"}
    assert tickets["csat"].dropna().between(1, 5).all()
    assert tickets["csat"].isna().any()
    open_tickets = tickets["closed_at"].isna()
    assert open_tickets.any()
    assert tickets.loc[open_tickets, "csat"].isna().all()
    closed = tickets[~open_tickets]
    assert (closed["closed_at"] > closed["opened_at"]).all()


def test_activation_in_first_30_days_predicts_retention(
    saas: dict[str, pd.DataFrame], lifetimes: pd.DataFrame
) -> None:
    events = saas["events"].merge(lifetimes[["customer_id", "created_at"]], on="customer_id")
    early = events[
        (events["occurred_at"] < events["created_at"] + pd.Timedelta(days=30))
        & events["feature"].notna()
    ]
    adopted = early.groupby("customer_id")["feature"].nunique()
    truth = saas["truth"].set_index("customer_id")
    adopted = adopted.reindex(truth.index, fill_value=0)
    assert (adopted == truth["features_first_30d"]).all()
    activated = adopted >= ACTIVATION_FEATURES
    assert activated.equals(truth["activated"].rename("feature"))
    churn = truth["will_churn"]
    assert churn[activated].mean() < 0.5 * churn[~activated].mean()


def test_icp_accounts_expand_more_and_match_their_definition(saas: dict[str, pd.DataFrame]) -> None:
    customers = saas["customers"].set_index("customer_id")
    truth = saas["truth"].set_index("customer_id")
    icp = customers["industry"].isin(["software", "finance"]) & customers["employees"].between(
        50, 500
    )
    assert (icp == truth["icp_fit"].reindex(icp.index)).all()
    subs = saas["subscriptions"]
    grew = subs["status"].isin(["expanded", "upgraded"]).groupby(subs["customer_id"]).sum()
    grew = grew.reindex(customers.index)
    assert grew.equals(truth["expansions"].rename(grew.name))
    non_power = truth["archetype"] != "power_user"
    assert grew[icp & non_power].mean() > 2 * grew[~icp & non_power].mean()
    assert truth.loc[icp, "will_churn"].mean() < truth.loc[~icp, "will_churn"].mean()


def test_power_users_use_more_expand_more_and_stay(
    saas: dict[str, pd.DataFrame], lifetimes: pd.DataFrame
) -> None:
    days = (lifetimes["end_at"] - lifetimes["created_at"]).dt.total_seconds() / 86_400
    counts = (
        saas["events"]["customer_id"].value_counts().reindex(lifetimes["customer_id"], fill_value=0)
    )
    rate = pd.Series(counts.to_numpy() / days.to_numpy(), index=lifetimes["customer_id"])
    power = (lifetimes["archetype"] == "power_user").to_numpy()
    assert power.sum() >= 20
    assert rate[power].median() > 3 * rate[~power].median()
    truth = lifetimes.set_index("customer_id")
    assert truth.loc[power, "expansions"].mean() > 2 * truth.loc[~power, "expansions"].mean()
    assert truth.loc[power, "will_churn"].mean() < 0.5 * truth.loc[~power, "will_churn"].mean()
    users = (
        saas["events"]
        .groupby("customer_id")["user_id"]
        .nunique()
        .reindex(truth.index, fill_value=0)
    )
    assert users[power].median() > users[~power].median()


def test_usage_dips_in_december(saas: dict[str, pd.DataFrame], lifetimes: pd.DataFrame) -> None:
    days = pd.date_range("2023-01-01", "2025-06-30")
    per_day = (
        saas["events"]["occurred_at"].dt.normalize().value_counts().reindex(days, fill_value=0)
    )
    created = lifetimes["created_at"].dt.normalize().to_numpy()
    ended = lifetimes["end_at"].to_numpy()
    active = np.array([((created <= d) & (ended > d)).sum() for d in days.to_numpy()])
    rate = pd.Series(per_day.to_numpy() / np.maximum(active, 1), index=days)
    by_month = rate.groupby(rate.index.month).mean()
    assert by_month[12] < 0.8 * by_month[[10, 11]].mean()


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    first = generate_saas(n_accounts=120, seed=7)
    second = generate_saas(n_accounts=120, seed=7)
    other = generate_saas(n_accounts=120, seed=8)
    assert set(first) == {*TABLES, "truth"}
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])
    assert not first["events"].equals(other["events"])
    assert not first["customers"].equals(other["customers"])


def test_default_size_keeps_the_demo_small() -> None:
    tables = generate_saas()
    assert len(tables["customers"]) == 2000
    assert 150_000 <= len(tables["events"]) <= 300_000
    assert tables["events"]["occurred_at"].max() < END
    assert tables["customers"]["created_at"].min() >= pd.Timestamp("2023-01-01")


def test_invalid_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="n_accounts"):
        generate_saas(n_accounts=0)
    with pytest.raises(ValueError, match="span"):
        generate_saas(start="2025-01-01", end="2025-03-01")


def test_write_csvs_round_trip(tmp_path) -> None:
    paths = write_saas_csvs(tmp_path / "plain", n_accounts=80, seed=3)
    assert set(paths) == {*TABLES, "truth"}
    tables = generate_saas(n_accounts=80, seed=3)
    for name, path in paths.items():
        frame = pd.read_csv(path, encoding="utf-8")
        assert list(frame.columns) == list(tables[name].columns)
        assert len(frame) == len(tables[name])
    events = pd.read_csv(paths["events"], parse_dates=["occurred_at"])
    assert events["occurred_at"].equals(tables["events"]["occurred_at"])


def test_korean_headers_are_written_in_cp949(tmp_path) -> None:
    paths = write_saas_csvs(tmp_path, n_accounts=200, seed=2, korean_headers=True)
    raw = paths["customers"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    frame = pd.read_csv(paths["customers"], encoding="cp949")
    expected = generate_saas(n_accounts=200, seed=2)["customers"]
    assert list(frame.columns) == [KOREAN_HEADERS[c] for c in expected.columns]
    assert frame.columns[0] == "고객ID"
    assert frame["회사명"].tolist() == expected["name"].tolist()
    # the other tables stay UTF-8 with canonical headers
    assert pd.read_csv(paths["events"], nrows=1).columns[0] == "customer_id"


def test_ingestion_reads_every_written_table_without_rejects(tmp_path) -> None:
    from segmint.sources import read_source

    paths = write_saas_csvs(tmp_path, n_accounts=60, seed=4, korean_headers=True)
    customers = read_source(paths["customers"], table="customers")
    assert customers.encoding.lower().replace("-", "") in ("cp949", "euckr", "uhc")
    assert customers.column_map["customer_id"] == "고객ID"
    assert customers.column_map["email_consent"] == KOREAN_HEADERS["email_consent"]
    assert len(customers.loaded) == 60 and customers.rejected.empty
    for name in ("subscriptions", "events", "tickets", "transactions"):
        result = read_source(paths[name], table=name)
        assert result.rejected.empty, name
        assert result.rows_read == len(result.loaded), name


def test_touches_plant_a_responsive_channel_per_archetype(saas: dict[str, pd.DataFrame]) -> None:
    from segmint.demo.synthetic_saas import RESPONSIVE_CHANNEL

    touches = saas["touches"]
    assert set(touches["channel"]) == {"email", "in_app", "kakao"}
    for column in ("opened_at", "clicked_at", "converted_at"):
        assert not (touches[column].dt.normalize() < touches["sent_at"].dt.normalize()).any()
    assert touches["clicked_at"].notna().le(touches["opened_at"].notna()).all()
    frame = touches.merge(saas["truth"][["customer_id", "archetype"]], on="customer_id")
    rates = frame.assign(converted=frame["converted_at"].notna()).pivot_table(
        index="archetype", columns="channel", values="converted", aggfunc="mean"
    )
    for archetype, best in RESPONSIVE_CHANNEL.items():
        assert rates.loc[archetype].idxmax() == best, (archetype, rates.loc[archetype])


def test_touches_leave_the_other_tables_unchanged() -> None:
    from segmint.demo import synthetic_saas

    with_touches = generate_saas(n_accounts=80, seed=4)
    original = synthetic_saas._touches
    try:
        synthetic_saas._touches = lambda *args: pd.DataFrame()  # type: ignore[assignment]
        without = generate_saas(n_accounts=80, seed=4)
    finally:
        synthetic_saas._touches = original  # type: ignore[assignment]
    for name in ("customers", "subscriptions", "events", "tickets", "transactions", "truth"):
        pd.testing.assert_frame_equal(with_touches[name], without[name])
