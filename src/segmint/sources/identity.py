"""Identity stitching: link a customer's records across sources into one customer_id.

Each record id lives in a namespace (the CRM's ids, the billing system's ids, ...). Records are
linked when they share a configured match key (normalised email, company domain, phone) or when a
source column holds another namespace's id (a `links` entry). Linked ids form connected components
(union-find, computed with scipy's connected components); each component gets one deterministic
customer_id: the smallest id of the highest-priority namespace in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MATCH_KEYS = ("email", "domain", "phone")
# Free-mail domains say nothing about which company a person works for.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
        "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "naver.com",
        "daum.net", "hanmail.net", "kakao.com", "nate.com", "yahoo.co.kr", "yahoo.co.jp",
        "qq.com", "163.com",
    }
)  # fmt: skip
_SEP = "\x1f"


@dataclass(frozen=True)
class IdentityRecords:
    """The ids (and match-key columns) one source contributes to stitching."""

    source: str
    namespace: str
    frame: pd.DataFrame
    links: dict[str, str] = field(default_factory=dict)


def normalise_email(values: pd.Series) -> pd.Series:
    """Return lower-cased, trimmed emails; values without '@' become missing."""
    text = values.astype("string").str.strip().str.lower()
    return text.where(text.str.contains("@", na=False))


def normalise_domain(values: pd.Series) -> pd.Series:
    """Return bare lower-case domains (no scheme, www. or path); free-mail domains become missing."""
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(r"^[a-z]+://", "", regex=True).str.replace(r"^www\.", "", regex=True)
    text = text.str.split("/").str[0].str.split("@").str[-1]
    return text.where(text.str.contains(".", regex=False, na=False) & ~text.isin(FREE_MAIL_DOMAINS))


def normalise_phone(values: pd.Series) -> pd.Series:
    """Return digits only (at least 7), so '+82 10-1234-5678' and '8210 1234 5678' match."""
    digits = values.astype("string").str.replace(r"\D", "", regex=True)
    return digits.where(digits.str.len() >= 7)


def _key_values(frame: pd.DataFrame, key: str) -> pd.Series | None:
    if key == "email" and "email" in frame:
        return normalise_email(frame["email"])
    if key == "domain":
        if "domain" in frame:
            return normalise_domain(frame["domain"])
        if "email" in frame:
            return normalise_domain(normalise_email(frame["email"]))
    if key == "phone" and "phone" in frame:
        return normalise_phone(frame["phone"])
    return None


def _join_labels(labels: pd.Series) -> str:
    return "; ".join(sorted(set(labels)))


def stitch_identities(
    records: Sequence[IdentityRecords], /, *, match_keys: Sequence[str] = ()
) -> pd.DataFrame:
    """Return the identity map: namespace, source_id → customer_id, linked_by (why it was merged)."""
    unknown = [k for k in match_keys if k not in MATCH_KEYS]
    if unknown:
        raise ValueError(f"unknown match key(s) {unknown}; allowed: {', '.join(MATCH_KEYS)}")
    namespace_rank: dict[str, int] = {}
    for rec in records:
        namespace_rank.setdefault(rec.namespace, len(namespace_rank))

    id_nodes: list[pd.DataFrame] = []
    edges: list[pd.DataFrame] = []
    for rec in records:
        ids = rec.frame["customer_id"].astype("string").str.strip()
        node = rec.namespace + _SEP + ids
        valid = ids.notna() & (ids != "")
        id_nodes.append(
            pd.DataFrame({"node": node[valid], "namespace": rec.namespace, "source_id": ids[valid]})
        )
        for key in match_keys:
            values = _key_values(rec.frame, key)
            if values is None:
                continue
            ok = valid & values.notna()
            edges.append(
                pd.DataFrame(
                    {
                        "a": node[ok],
                        "b": "key:" + key + _SEP + values[ok],
                        "label": key + "=" + values[ok],
                    }
                )
            )
        for column, target_namespace in rec.links.items():
            if column not in rec.frame:
                continue
            target = rec.frame[column].astype("string").str.strip()
            ok = valid & target.notna() & (target != "")
            namespace_rank.setdefault(target_namespace, len(namespace_rank))
            edges.append(
                pd.DataFrame(
                    {
                        "a": node[ok],
                        "b": target_namespace + _SEP + target[ok],
                        "label": f"{rec.source}.{column}=" + target[ok],
                    }
                )
            )
            id_nodes.append(
                pd.DataFrame(
                    {
                        "node": target_namespace + _SEP + target[ok],
                        "namespace": target_namespace,
                        "source_id": target[ok],
                    }
                )
            )
    columns = ["namespace", "source_id", "customer_id", "linked_by"]
    if not id_nodes:
        return pd.DataFrame(columns=columns)
    nodes = pd.concat(id_nodes, ignore_index=True).drop_duplicates("node", ignore_index=True)
    edge_frame = (
        pd.concat(edges, ignore_index=True)
        if edges
        else pd.DataFrame(
            {
                "a": pd.Series(dtype="string"),
                "b": pd.Series(dtype="string"),
                "label": pd.Series(dtype="string"),
            }
        )
    )
    all_names = pd.concat([nodes["node"], edge_frame["a"], edge_frame["b"]], ignore_index=True)
    codes, uniques = pd.factorize(all_names, sort=True)
    n = len(uniques)
    node_codes = codes[: len(nodes)]
    a = codes[len(nodes) : len(nodes) + len(edge_frame)]
    b = codes[len(nodes) + len(edge_frame) :]
    # imported here: reading a single export never stitches identities
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, component = connected_components(graph, directed=False)

    nodes["component"] = component[node_codes]
    nodes["rank"] = nodes["namespace"].map(namespace_rank)
    primary = min(namespace_rank, key=namespace_rank.__getitem__)
    canonical = nodes.sort_values(["component", "rank", "source_id"]).drop_duplicates("component")
    canonical_id = np.where(
        canonical["namespace"] == primary,
        canonical["source_id"],
        canonical["namespace"] + ":" + canonical["source_id"],
    )
    nodes["customer_id"] = nodes["component"].map(
        dict(zip(canonical["component"], canonical_id, strict=True))
    )

    # Why each id sits in its component: the keys it shares with another id, or the links it
    # makes or receives.
    is_key = edge_frame["b"].str.startswith("key:")
    shared_key = edge_frame.groupby("b")["a"].transform("nunique") > 1
    reasons = edge_frame[~is_key | shared_key]
    reason_text = reasons.groupby("a")["label"].agg(_join_labels)
    target_reason = (
        reasons[~reasons["b"].str.startswith("key:")].groupby("b")["label"].agg(_join_labels)
    )
    own = nodes["node"].map(reason_text)
    via_link = nodes["node"].map(target_reason)
    size = nodes.groupby("component")["node"].transform("size")
    linked_by = own.fillna(via_link).fillna("same id")
    nodes["linked_by"] = np.where(size > 1, linked_by, "own id")
    return (
        nodes[columns]
        .astype("string")
        .sort_values(["customer_id", "namespace", "source_id"], ignore_index=True)
    )
