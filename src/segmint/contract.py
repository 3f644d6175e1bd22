"""The data contract: logical tables, their canonical columns and types."""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical logical type names used across segmint:
#   string, timestamp (UTC, naive in frames), money (DECIMAL(18,2) in the store,
#   float64 rounded to cents in pandas), float, int, bool
MONEY_TYPE_SQL = "DECIMAL(18,2)"


@dataclass(frozen=True)
class TableContract:
    """Required and optional canonical columns of one logical table."""

    name: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    id_columns: tuple[str, ...] = ("customer_id",)

    @property
    def columns(self) -> dict[str, str]:
        """Return all canonical columns (required first) with their logical types."""
        return {**self.required, **self.optional}


CONTRACTS: dict[str, TableContract] = {
    "customers": TableContract(
        "customers",
        required={"customer_id": "string"},
        optional={
            "created_at": "timestamp",
            "name": "string",
            "email": "string",
            "domain": "string",
            "industry": "string",
            "employees": "float",
            "annual_revenue": "money",
            "country": "string",
            "region": "string",
            "plan": "string",
            "owner": "string",
            "email_consent": "bool",
            "phone": "string",
            "technologies": "string",
            "acquisition_channel": "string",
        },
    ),
    "transactions": TableContract(
        "transactions",
        required={"customer_id": "string", "occurred_at": "timestamp", "amount": "money"},
        optional={
            "transaction_id": "string",
            "invoice_id": "string",
            "product": "string",
            "category": "string",
            "quantity": "float",
            "unit_price": "money",
            "currency": "string",
            "status": "string",
            "is_refund": "bool",
            # money saved on the line (>= 0); amount stays what the customer paid
            "discount": "money",
            "coupon": "string",
            "channel": "string",
            "department": "string",
        },
    ),
    "subscriptions": TableContract(
        "subscriptions",
        required={"customer_id": "string", "started_at": "timestamp", "mrr": "money"},
        optional={
            "subscription_id": "string",
            "ended_at": "timestamp",
            "plan": "string",
            "seats": "float",
            "status": "string",
        },
    ),
    "events": TableContract(
        "events",
        required={"customer_id": "string", "occurred_at": "timestamp", "event": "string"},
        optional={"user_id": "string", "feature": "string"},
    ),
    "tickets": TableContract(
        "tickets",
        required={"customer_id": "string", "opened_at": "timestamp"},
        optional={
            "ticket_id": "string",
            "category": "string",
            "priority": "string",
            "closed_at": "timestamp",
            "csat": "float",
        },
    ),
    # Marketing and CS contacts: one row per message sent (email, sms, push, in_app, kakao, ...).
    "touches": TableContract(
        "touches",
        required={"customer_id": "string", "sent_at": "timestamp", "channel": "string"},
        optional={
            "campaign": "string",
            "opened_at": "timestamp",
            "clicked_at": "timestamp",
            "converted_at": "timestamp",
            "offer": "string",
        },
    ),
    "assignments": TableContract(
        "assignments",
        required={"customer_id": "string", "experiment": "string", "variant": "string"},
        optional={"assigned_at": "timestamp"},
    ),
}

LOGICAL_TABLES: tuple[str, ...] = tuple(CONTRACTS)

# Canonical columns that several source columns may fill together (their values are summed),
# e.g. `columns: {discount: [retail_disc, coupon_disc]}`.
SUMMED_COLUMNS: frozenset[tuple[str, str]] = frozenset({("transactions", "discount")})

# Columns ingestion adds to every loaded row, so each row can be traced to its source.
SOURCE_FILE_COLUMN = "_source"
SOURCE_LINE_COLUMN = "_line"
REJECTED_COLUMNS: tuple[str, ...] = ("file", "line", "column", "reason", "raw")


def contract_for(table: str) -> TableContract:
    """Return the contract of a logical table or raise ValueError listing the allowed names."""
    try:
        return CONTRACTS[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; allowed: {', '.join(LOGICAL_TABLES)}") from None
