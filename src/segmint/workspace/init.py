"""`segmint init DIR`: a workspace folder with a commented segmint.yaml and sample data."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from segmint.config import CONFIG_FILE_NAME
from segmint.errors import InputError

EXAMPLES = ("saas", "commerce", "shop")
COMMERCE_SAMPLE = "online_retail_ii_sample.csv.gz"


def template_text(example: str) -> str:
    """Return the commented segmint.yaml of an example ('saas', 'commerce' or 'shop')."""
    if example not in EXAMPLES:
        raise ValueError(f"unknown example {example!r}; allowed: {', '.join(EXAMPLES)}")
    return (
        resources.files("segmint.workspace")
        .joinpath("templates", f"{example}.yaml")
        .read_text(encoding="utf-8")
    )


def commerce_sample_path() -> Path:
    """Return the bundled Online Retail II sample (packaged with segmint)."""
    path = Path(str(resources.files("segmint.demo").joinpath(f"data/{COMMERCE_SAMPLE}")))
    if not path.is_file():
        raise InputError(f"bundled sample {COMMERCE_SAMPLE} is missing from the installation")
    return path


def init_workspace(
    root: str | Path, /, *, example: str = "saas", n_accounts: int = 2000, seed: int = 0,
    force: bool = False,
) -> Path:  # fmt: skip
    """Create a workspace folder with segmint.yaml and sample data; return the config path."""
    if example not in EXAMPLES:
        raise ValueError(f"unknown example {example!r}; allowed: {', '.join(EXAMPLES)}")
    root = Path(root)
    config_path = root / CONFIG_FILE_NAME
    if config_path.exists() and not force:
        raise InputError(f"{config_path} already exists (use --force to overwrite it)")
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    if example == "saas":
        from segmint.demo.synthetic_saas import write_saas_csvs

        write_saas_csvs(data, korean_headers=True, n_accounts=n_accounts, seed=seed)
    elif example == "shop":
        from segmint.demo.synthetic_shop import write_shop_csvs

        write_shop_csvs(data, n_customers=n_accounts, seed=seed)
    else:
        shutil.copyfile(commerce_sample_path(), data / COMMERCE_SAMPLE)
    config_path.write_text(template_text(example), encoding="utf-8")
    return config_path
