"""Workspace and file entry points of the Understand questions: preferences, price, timing.

Each returns the JSON payload shaped like the KPIs (`{"scheme", "run_id", "as_of", "segments":
[{"segment", "customers", ...}]}`) so the CLI, the reports and an API share one service.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from ibis.expr import types as ir

from segmint.analysis.customer_columns import attach_customer_columns
from segmint.analysis.preferences import PreferenceOptions, preferences
from segmint.analysis.price_sensitivity import PriceOptions, price_sensitivity
from segmint.analysis.timing import timing
from segmint.analysis.timing_backtest import timing_backtest
from segmint.analysis.workspace import resolve_run, resolve_scheme, scheme_labels, segment_order
from segmint.config import SegmintConfig
from segmint.errors import InputError
from segmint.store import Store


def _workspace_inputs(
    root: Path, config: SegmintConfig, store: Store, scheme: str | None, run_id: int | None
) -> tuple[ir.Table, pd.DataFrame, dict[str, Any]]:
    """Return the transactions table, the scheme's labels and the payload head of a run."""
    from segmint.workspace_data import engine_tables

    run, as_of = resolve_run(store, run_id)
    name = resolve_scheme(store, run, scheme, config)
    tables = engine_tables(config, store, root)
    if "transactions" not in tables:
        raise InputError(
            "the workspace has no transactions; Understand (preferences, price, timing) reads "
            "purchases: add a transactions source to segmint.yaml and run `segmint ingest`"
        )
    labels = scheme_labels(store, run, name)
    head = {
        "scheme": name,
        "run_id": run,
        "as_of": as_of.isoformat(),
        "_segments": segment_order(labels, config, name),
    }
    return tables["transactions"], labels, head


def offer_touches(
    tables: Mapping[str, ir.Table], config: SegmintConfig, *, as_of: datetime
) -> pd.DataFrame | None:
    """Return the touch outcomes when the touches carry offers (else None): redemption's input."""
    from segmint.analysis.channels import ChannelOptions, touch_outcomes

    if "touches" not in tables or "offer" not in tables["touches"].columns:
        return None
    c = config.channels
    options = ChannelOptions(c.window_days, c.min_touches, c.preferred_probability, c.fatigue_days)
    return touch_outcomes(dict(tables), as_of=as_of, options=options)


def _publish(head: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Return head + payload without private keys and per-customer frames."""
    out = {k: v for k, v in head.items() if not k.startswith("_")}
    out.update({k: v for k, v in payload.items() if k != "customer_features"})
    return out


def workspace_preferences(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
    options: PreferenceOptions | None = None,
) -> dict[str, Any]:
    """Return the preferences payload of a scheme in a run (default: latest run, first scheme)."""
    transactions, labels, head = _workspace_inputs(root, config, store, scheme, run_id)
    as_of = datetime.fromisoformat(head["as_of"])
    payload = preferences(
        transactions,
        labels,
        as_of=as_of,
        segments=head["_segments"],
        options=options or PreferenceOptions(),
        seed=config.seed,
    )
    return _publish(head, payload)


def workspace_price(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
    options: PriceOptions | None = None,
) -> dict[str, Any]:
    """Return the price-sensitivity payload of a scheme in a run (offer redemption with touches)."""
    from segmint.workspace_data import engine_tables

    transactions, labels, head = _workspace_inputs(root, config, store, scheme, run_id)
    as_of = datetime.fromisoformat(head["as_of"])
    payload = price_sensitivity(
        transactions,
        labels,
        as_of=as_of,
        segments=head["_segments"],
        options=options or PriceOptions(),
        touches=offer_touches(engine_tables(config, store, root), config, as_of=as_of),
    )
    return _publish(head, payload)


def workspace_timing(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    scheme: str | None = None,
    run_id: int | None = None,
) -> dict[str, Any]:
    """Return the timing payload (per-segment rhythm, forecast summaries) of a scheme in a run."""
    transactions, labels, head = _workspace_inputs(root, config, store, scheme, run_id)
    as_of = datetime.fromisoformat(head["as_of"])
    payload = timing(transactions, labels, as_of=as_of, segments=head["_segments"])
    return _publish(head, payload)


def workspace_timing_backtest(
    root: Path,
    config: SegmintConfig,
    store: Store,
    *,
    run_id: int | None = None,
    holdout_days: int = 90,
) -> dict[str, Any]:
    """Return the timing backtest (model vs naive) with the cut-off `holdout_days` before as_of."""
    from segmint.workspace_data import engine_tables

    run, as_of = resolve_run(store, run_id)
    tables = engine_tables(config, store, root)
    if "transactions" not in tables:
        raise InputError("the workspace has no transactions to backtest purchase timing on")
    return {"run_id": run, **timing_backtest(tables["transactions"], as_of=as_of,
                                             holdout_days=holdout_days)}  # fmt: skip


def file_understand(
    transactions: ir.Table,
    labels: pd.DataFrame,
    *,
    as_of: datetime,
    segments: list[str],
    seed: int = 0,
    forecasts: pd.DataFrame | None = None,
    touches: pd.DataFrame | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Return the Understand block of `analyze` (what the file allows) and per-customer columns.

    Preferences at category level when the file has categories, else product level; price
    sensitivity when it has discounts or coupons (with offer redemption when `touches`, the
    touch outcomes, carry offers); timing always (from `forecasts` when a run computed them).
    """
    block: dict[str, Any] = {"scheme": "rfm_segment"}
    features = pd.DataFrame({"customer_id": labels["customer_id"]})
    level = next((c for c in ("category", "product") if c in transactions.columns), None)
    if level is not None:
        top = None if level == "category" else 10
        result = preferences(
            transactions, labels, as_of=as_of, segments=segments, seed=seed,
            options=PreferenceOptions(level=level, top=top),
        )  # fmt: skip
        features = attach_customer_columns(features, result.pop("customer_features"))
        block["preferences"] = result
    if "discount" in transactions.columns or "coupon" in transactions.columns:
        result = price_sensitivity(
            transactions, labels, as_of=as_of, segments=segments, options=PriceOptions(),
            touches=touches,
        )  # fmt: skip
        customers = result.pop("customer_features")
        keep = ["customer_id", "discount_share", "discounted_order_share", "coupon_order_share",
                "price_sensitivity"]  # fmt: skip
        keep += [c for c in ("offers_received", "offers_redeemed", "redemption_rate")
                 if c in customers.columns]  # fmt: skip
        features = attach_customer_columns(features, customers[keep])
        block["price"] = result
    result = timing(transactions, labels, as_of=as_of, segments=segments, forecasts=forecasts)
    customers = result.pop("customer_features")
    features = attach_customer_columns(features, customers)
    block["timing"] = result
    return block, features


__all__ = [
    "file_understand",
    "workspace_preferences",
    "workspace_price",
    "workspace_timing",
    "workspace_timing_backtest",
]
