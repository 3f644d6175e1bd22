"""The run's discovery stage: cluster the behaviour features and store the profiles."""

from __future__ import annotations

from segmint.errors import ConfigError
from segmint.run_context import RunContext, RunPlanInputs
from segmint.segments.clustering import discover
from segmint.workspace import behaviour_features
from segmint.workspace.discovery import save_discovery


def discovery_needed(inputs: RunPlanInputs) -> bool:
    """Return True when the config asks every run to find clusters (`discovery:`)."""
    return inputs.config.discovery is not None


def add_discovery(ctx: RunContext) -> None:
    """Cluster the run's customers on their behaviour features and store the cluster profiles.

    It reads the snapshot the segments stage stored (not the in-memory customer table, whose
    integer and boolean columns would be labelled differently), so it clusters exactly what
    `segmint discover -w WS --run N --save` reads and both give the same clusters.
    """
    options = ctx.config.discovery
    assert options is not None
    frame = behaviour_features(ctx.store.snapshot_values(ctx.run_id))
    try:
        result = discover(
            frame,
            id_col="customer_id",
            features=options.features,
            k=options.k,
            method=options.method,
            seed=ctx.config.seed,
        )
    except ValueError as exc:
        raise ConfigError(f"discovery: {exc}") from None
    save_discovery(
        ctx.store,
        result,
        run_id=ctx.run_id,
        as_of=ctx.as_of,
        options={
            "features": options.features,
            "k": str(options.k),
            "method": options.method,
            "seed": ctx.config.seed,
        },
    )
    ctx.outputs["discovery"] = {"k": result.k, "method": options.method}
