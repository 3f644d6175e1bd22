"""Cross-sell propensity: categories a customer has not bought, ranked; next-plan propensity for SaaS.

Commerce (`CrossSellRecommender`): customers × items baskets (bought / not bought before as_of).
Items are matched by a key that ignores case, spaces and punctuation (`item_keys`), so one product
spelt two ways is one item, shown under its most frequent spelling.
For a customer and an item Y they have not bought, two estimates of P(buys Y):
  - association: the highest confidence P(Y | X) over the items X in their basket whose rule X → Y
    has support ≥ min_support and lift > 1, or P(Y) when no rule applies (the empty rule);
  - model: a ridge (linear probability) regression of "owns Y" on the other items of the basket,
    all items solved at once in closed form (see `_fit_models`), i.e. how much the basket looks
    like those of Y's buyers.
The score is `model_weight` × model + (1 − model_weight) × association (default 0.5 each): the
rule is readable and gives the evidence; the model uses the whole basket at once.

SaaS (`next_plan_propensity`): a multinomial logistic regression of the current plan on usage
features gives P(plan | usage). Assumption: customers have sorted themselves into plans by need,
so usage typical of a higher plan signals readiness for it. It is fitted on today's plan mix,
not on observed upgrades, so it ranks candidates; it is not a forecast of upgrade rates.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from segmint.errors import InputError, MissingColumnError, NotFittedError

# L2 penalty of the per-item basket regressions, and the most customers their Gram matrix uses.
RIDGE = 10.0
MAX_MODEL_CUSTOMERS = 200_000
# Customers scored per block in recommend(): bounds memory at block × items² floats.
BLOCK = 256
# Usage features default to every numeric column except these price-like ones, which are
# set by the plan itself and would make the plan trivially predictable.
PRICE_WORDS = ("mrr", "arr", "revenue", "price", "amount", "monetary", "clv")


def _item_column(transactions: pd.DataFrame, item_col: str | None) -> str:
    if item_col is not None:
        if item_col not in transactions.columns:
            raise MissingColumnError("transactions", item_col, list(transactions.columns))
        return item_col
    for col in ("category", "product"):
        if col in transactions.columns and transactions[col].notna().any():
            return col
    raise MissingColumnError(
        "transactions", "category", list(transactions.columns), hint="or a product column"
    )


def item_keys(names: pd.Series) -> pd.Series:
    """Return each item name folded to a key that ignores case, spaces and punctuation.

    "DOOR MAT UNION FLAG", "Doormat union-flag" and "DOORMAT UNION FLAG" are one product, so a
    buyer of one spelling is not recommended another; letters of any script are kept.
    """
    folded = names.astype(str).map(lambda name: unicodedata.normalize("NFKC", name).casefold())
    return folded.str.replace(r"[\W_]+", "", regex=True)


def display_names(names: pd.Series, keys: pd.Series) -> dict[str, str]:
    """Return per key the spelling shown: the most frequent one, then the first alphabetically."""
    counts = pd.DataFrame({"key": keys, "name": names}).value_counts().reset_index(name="n")
    counts = counts.sort_values(["key", "n", "name"], ascending=[True, False, True])
    first = counts.drop_duplicates("key")
    return dict(zip(first["key"], first["name"], strict=True))


class CrossSellRecommender:
    """Rank the items each customer has not bought by blended association and model propensity."""

    def __init__(
        self,
        *,
        top: int = 3,
        min_support: float = 0.005,
        model_weight: float = 0.5,
        max_items: int = 200,
        item_col: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.top = top
        self.min_support = min_support
        self.model_weight = model_weight
        self.max_items = max_items
        self.item_col = item_col
        self.random_state = random_state

    def fit(self, transactions: pd.DataFrame, *, as_of: datetime) -> CrossSellRecommender:
        """Build baskets from purchases before `as_of`, association rules and per-item models; return self."""
        if self.top < 1:
            raise ValueError("top must be at least 1")
        if not 0.0 <= self.model_weight <= 1.0:
            raise ValueError("model_weight must be between 0 and 1")
        for col in ("customer_id", "occurred_at"):
            if col not in transactions.columns:
                raise MissingColumnError("transactions", col, list(transactions.columns))
        item_col = _item_column(transactions, self.item_col)
        rows = transactions.loc[
            pd.to_datetime(transactions["occurred_at"]) < pd.Timestamp(as_of),
            ["customer_id", item_col, *[c for c in ("amount", "is_refund") if c in transactions]],
        ]
        rows = rows[rows[item_col].notna()]
        if "is_refund" in rows:
            rows = rows[~rows["is_refund"].fillna(False).astype(bool)]
        if "amount" in rows:
            rows = rows[~(pd.to_numeric(rows["amount"], errors="coerce") < 0)]
        names = rows[item_col].astype(str).str.strip()
        keys = item_keys(names)
        rows, names, keys = rows[keys != ""], names[keys != ""], keys[keys != ""]
        spelling = display_names(names, keys)
        pairs = (
            pd.DataFrame(
                {"customer_id": rows["customer_id"].astype(str), "item": keys.map(spelling)}
            )
            .drop_duplicates()
            .reset_index(drop=True)
        )
        buyers = pairs["item"].value_counts()
        items = sorted(buyers.index[: self.max_items])
        pairs = pairs[pairs["item"].isin(set(items))]
        if len(items) < 2 or pairs.empty:
            raise InputError(f"cross-sell needs purchases of at least two {item_col}s before as_of")
        customers = np.sort(pairs["customer_id"].unique())
        basket = np.zeros((len(customers), len(items)), dtype=bool)
        basket[
            np.searchsorted(customers, pairs["customer_id"]),
            np.searchsorted(np.array(items), pairs["item"]),
        ] = True
        n = len(customers)
        counts = basket.sum(axis=0).astype(float)
        co = basket.T.astype(np.float64) @ basket.astype(np.float64)
        support = co / n
        confidence = co / counts[:, None]
        lift = confidence / (counts / n)[None, :]
        valid = (support >= self.min_support) & (lift > 1.0)
        np.fill_diagonal(valid, False)
        self.item_col_ = item_col
        self.items_ = items
        self.customer_ids_ = customers
        self.basket_ = basket
        self.prevalence_ = counts / n
        self.confidence_ = np.where(valid, confidence, 0.0)
        self.lift_ = lift
        self.rules_ = self._rules_frame(valid, support, confidence, lift, co)
        self.model_proba_ = self._fit_models(basket)
        return self

    def _rules_frame(
        self,
        valid: np.ndarray,
        support: np.ndarray,
        confidence: np.ndarray,
        lift: np.ndarray,
        co: np.ndarray,
    ) -> pd.DataFrame:
        x, y = np.nonzero(valid)
        names = np.array(self.items_, dtype=object)
        frame = pd.DataFrame(
            {
                "antecedent": names[x],
                "consequent": names[y],
                "customers": co[x, y].astype(int),
                "support": support[x, y].round(5),
                "confidence": confidence[x, y].round(4),
                "lift": lift[x, y].round(3),
            }
        )
        return frame.sort_values(["lift", "support"], ascending=False, ignore_index=True)

    def _fit_models(self, basket: np.ndarray) -> np.ndarray:
        """Return P(owns item | rest of basket) per customer × item from per-item ridge regressions.

        Item j is regressed on all other items (with intercept, L2 penalty RIDGE). All items are
        solved at once from one inverse Gram matrix (the closed form of EASE, Steck 2019):
        weights B = -P / diag(P) with P = (XcᵀXc + λI)⁻¹ and B_jj = 0, which equals fitting each
        item's regression separately. The Gram matrix uses at most MAX_MODEL_CUSTOMERS customers
        (a seeded sample beyond that); predictions are clipped to [0, 1].
        """
        n, k = basket.shape
        sample = basket
        if n > MAX_MODEL_CUSTOMERS:
            rng = np.random.default_rng(self.random_state)
            sample = basket[np.sort(rng.choice(n, MAX_MODEL_CUSTOMERS, replace=False))]
        mean = sample.mean(axis=0)
        centred = sample.astype(np.float64) - mean
        inverse = np.linalg.inv(centred.T @ centred + RIDGE * np.eye(k))
        weights = -inverse / np.diag(inverse)[None, :]
        np.fill_diagonal(weights, 0.0)
        proba = np.empty((n, k))
        for start in range(0, n, 65_536):
            block = basket[start : start + 65_536].astype(np.float64) - mean
            proba[start : start + 65_536] = np.clip(block @ weights + mean, 0.0, 1.0)
        return proba

    def _check_fitted(self) -> None:
        if not hasattr(self, "basket_"):
            raise NotFittedError("CrossSellRecommender is not fitted; call fit() first")

    def scores(self) -> pd.DataFrame:
        """Return the blended propensity per customer × item (NaN for items already bought)."""
        self._check_fitted()
        blended, _ = self._blend(0, len(self.customer_ids_))
        return pd.DataFrame(
            blended,
            index=pd.Index(self.customer_ids_, name="customer_id"),
            columns=self.items_,
        )

    def _blend(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        owned = self.basket_[start:stop]
        k = owned.shape[1]
        best_conf = np.zeros((len(owned), k))
        best_x = np.full((len(owned), k), -1)
        # best rule X → Y over the items X each customer owns (a handful per customer)
        for row, basket in enumerate(owned):
            held = np.flatnonzero(basket)
            if len(held):
                sub = self.confidence_[held]
                best_conf[row] = sub.max(axis=0)
                best_x[row] = held[sub.argmax(axis=0)]
        assoc = np.maximum(best_conf, self.prevalence_[None, :])
        w = self.model_weight
        blended = w * self.model_proba_[start:stop] + (1 - w) * assoc
        blended[owned] = np.nan
        has_rule = best_conf > self.prevalence_[None, :]
        return blended, np.where(has_rule, best_x, -1)

    def _evidence(self, x: int, y: int, model_p: float) -> str:
        item = self.items_[y]
        if x < 0:
            return (
                f"bought by {self.prevalence_[y]:.0%} of customers; baskets like this one "
                f"score {model_p:.0%} for {item}"
            )
        return (
            f"customers who buy {self.items_[x]} buy {item} {self.lift_[x, y]:.1f}× more often "
            f"({self.confidence_[x, y]:.0%} of them do)"
        )

    def recommend(self) -> pd.DataFrame:
        """Return customer_id and rec_k, rec_k_score, rec_k_evidence for k = 1..top (blank when none)."""
        self._check_fitted()
        columns: dict[str, list[Any]] = {"customer_id": list(self.customer_ids_)}
        for k in range(1, self.top + 1):
            columns[f"rec_{k}"] = []
            columns[f"rec_{k}_score"] = []
            columns[f"rec_{k}_evidence"] = []
        n = len(self.customer_ids_)
        names = np.array([*self.items_, None], dtype=object)
        for start in range(0, n, BLOCK):
            stop = min(n, start + BLOCK)
            blended, best_x = self._blend(start, stop)
            ranked = np.argsort(-np.nan_to_num(blended, nan=-1.0), axis=1, kind="stable")
            rows = np.arange(stop - start)
            for k in range(self.top):
                if k < ranked.shape[1]:
                    y = ranked[:, k]
                    score = blended[rows, y]
                else:
                    y = np.zeros(len(rows), dtype=int)
                    score = np.full(len(rows), np.nan)
                ok = ~np.isnan(score)
                columns[f"rec_{k + 1}"].extend(names[np.where(ok, y, -1)])
                columns[f"rec_{k + 1}_score"].extend(np.round(score, 4))
                columns[f"rec_{k + 1}_evidence"].extend(
                    self._evidence(int(x), int(j), float(m)) if good else None
                    for x, j, m, good in zip(
                        best_x[rows, y], y, self.model_proba_[start + rows, y], ok, strict=True
                    )
                )
        return pd.DataFrame(columns)


def _plan_order(
    features: pd.DataFrame, plan_col: str, plan_order: Sequence[str] | None
) -> list[str]:
    plans = sorted(features[plan_col].dropna().astype(str).unique())
    if plan_order is not None:
        order = [str(p) for p in plan_order]
        unknown = [p for p in plans if p not in order]
        if unknown:
            raise InputError(
                f"plans {unknown} are not in plan_order {order}; list every plan from lowest to highest"
            )
        return order
    if "mrr" in features.columns:
        medians = features.groupby(features[plan_col].astype(str))["mrr"].median()
        return [str(p) for p in medians.sort_values(kind="stable").index]
    raise InputError(
        "cannot tell which plans are higher: pass plan_order (lowest first) or an mrr column"
    )


def next_plan_propensity(
    features: pd.DataFrame,
    *,
    plan_col: str = "plan",
    plan_order: Sequence[str] | None = None,
    id_col: str = "customer_id",
    feature_cols: Sequence[str] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Return per customer: plan, upgrade_propensity, next_plan, next_plan_probability, p_<plan> per higher plan.

    P(plan | usage) comes from a multinomial logistic regression on standardised usage features
    (median-imputed), fitted on the current plan mix; see the module docstring for the assumption.
    Customers on the top plan get next_plan None and upgrade_propensity 0.
    """
    for col in (id_col, plan_col):
        if col not in features.columns:
            raise MissingColumnError("features", col, list(features.columns))
    order = _plan_order(features, plan_col, plan_order)
    if feature_cols is None:
        feature_cols = [
            c
            for c in features.columns
            if c not in (id_col, plan_col)
            and pd.api.types.is_numeric_dtype(features[c])
            and not pd.api.types.is_bool_dtype(features[c])
            and not any(word in str(c).lower() for word in PRICE_WORDS)
        ]
    cols = list(feature_cols)
    if not cols:
        raise InputError("no numeric usage features to learn plans from; pass feature_cols")
    missing = [c for c in cols if c not in features.columns]
    if missing:
        raise MissingColumnError("features", missing[0], list(features.columns))
    rows = features[features[plan_col].notna()].reset_index(drop=True)
    plan = rows[plan_col].astype(str)
    if plan.nunique() < 2:
        raise InputError("next-plan propensity needs customers on at least two plans")
    X = rows[cols].astype(float).to_numpy()
    model = make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        LogisticRegression(C=1.0, max_iter=2000, random_state=random_state),
    )
    model.fit(X, plan)
    classes = [str(c) for c in model.classes_]
    proba = np.asarray(model.predict_proba(X))
    column = {c: j for j, c in enumerate(classes)}
    rank = {p: i for i, p in enumerate(order)}
    out = pd.DataFrame({"customer_id": rows[id_col].astype(str), "plan": plan})
    upgrade: list[float] = []
    best_plan: list[str | None] = []
    best_p: list[float] = []
    higher_cols: dict[str, list[float]] = {p: [] for p in order[1:]}
    for i, current in enumerate(plan):
        higher = [p for p in order if rank[p] > rank[current]]
        probs = {p: float(proba[i, column[p]]) if p in column else 0.0 for p in higher}
        for p in higher_cols:
            higher_cols[p].append(round(probs[p], 4) if p in probs else np.nan)
        upgrade.append(round(sum(probs.values()), 4))
        if probs:
            top = max(probs, key=lambda p: (probs[p], -rank[p]))
            best_plan.append(top)
            best_p.append(round(probs[top], 4))
        else:
            best_plan.append(None)
            best_p.append(np.nan)
    out["upgrade_propensity"] = upgrade
    out["next_plan"] = best_plan
    out["next_plan_probability"] = best_p
    for p, values in higher_cols.items():
        out[f"p_{p}"] = values
    return out
