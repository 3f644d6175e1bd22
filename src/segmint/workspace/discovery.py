"""Cluster profiles kept in the workspace: what `segmint discover -w --save` stores and the
dashboard's discovery page (and /api/v1/discovery) show.

A discovery belongs to the run whose features it clustered. It is stored once per language, so
the page and its JSON twin read a finished payload instead of refitting on every request.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from segmint.i18n import LANGUAGES
from segmint.segments.clustering import DiscoveryResult
from segmint.segments.clustering.labels import trait_text
from segmint.store import Store
from segmint.workspace.browse import NotFoundError, chosen_run


def discovery_payloads(
    result: DiscoveryResult, *, run_id: int, as_of: datetime, options: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return the JSON-ready discovery of a run in every language (labels and traits in words)."""
    segmenter = result.segmenter
    medians = _cluster_medians(result)
    payloads: dict[str, dict[str, Any]] = {}
    for lang in LANGUAGES:
        payload = result.to_json(lang)
        for cluster in payload["clusters"]:
            number = cluster["cluster"]
            traits = segmenter.traits_[number][: len(cluster["traits"])]
            for shown, trait in zip(cluster["traits"], traits, strict=True):
                shown["text"] = trait_text(trait, lang)
            cluster["medians"] = medians.get(number, {})
        payload["run"] = {"run_id": run_id, "as_of": as_of.date().isoformat()}
        payload["options"] = options
        payloads[lang] = payload
    return payloads


def _cluster_medians(result: DiscoveryResult) -> dict[int, dict[str, float | None]]:
    """Return each cluster's median of every numeric profile column (None where all missing)."""
    profile = result.segmenter.profile_
    columns = [c for c in profile.columns if str(c).endswith("_median")]
    medians: dict[int, dict[str, float | None]] = {}
    for number, row in zip(profile.index, profile[columns].to_dict("records"), strict=True):
        medians[int(number)] = {
            str(c).removesuffix("_median"): (
                None if row[c] is None or math.isnan(float(row[c])) else round(float(row[c]), 4)
            )
            for c in columns
        }
    return medians


def save_discovery(
    store: Store,
    result: DiscoveryResult,
    *,
    run_id: int,
    as_of: datetime,
    options: dict[str, Any],
) -> None:
    """Store a run's cluster profiles (replacing any saved before for that run)."""
    store.save_discovery(
        run_id, discovery_payloads(result, run_id=run_id, as_of=as_of, options=options)
    )


def discovery_view(store: Store, run_id: int | None = None, *, lang: str = "en") -> dict[str, Any]:
    """Return the stored cluster profiles of `run_id`, or of the newest run that has them.

    The answer names its run and the newest snapshot run, so a page can say when the clusters
    were found in older data than the current segments.
    """
    latest, _ = chosen_run(store)
    if run_id is None:
        saved = store.discovery_runs()
        order = store.snapshot_runs()["run_id"].astype(int).tolist()
        candidates = [r for r in order if r in saved]
        if not candidates:
            raise NotFoundError(
                "no cluster profiles stored yet; run `segmint discover -w WORKSPACE --save`"
            )
        run_id = candidates[0]
    else:
        chosen_run(store, run_id)
    stored = store.discovery(run_id, lang)
    if stored is None:
        runs = ", ".join(map(str, store.discovery_runs())) or "none"
        raise NotFoundError(
            f"run {run_id} has no stored cluster profiles (runs with them: {runs}); "
            f"run `segmint discover -w WORKSPACE --run {run_id} --save`"
        )
    payload, saved_at = stored
    payload["saved_at"] = saved_at.isoformat(timespec="seconds")
    payload["latest_run_id"] = latest
    return payload
