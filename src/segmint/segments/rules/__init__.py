"""The rule language: a small, safe expression language over feature names, compiled to Ibis.

>>> from segmint.segments.rules import parse_rule, rule_features
>>> parse_rule("mrr >= 500 and plan in ('pro', 'team')").to_text()
"mrr >= 500 and plan in ('pro', 'team')"
>>> sorted(rule_features("coalesce(mrr, 0) > 0 and days_since(created_at) < 30"))
['created_at', 'mrr']
"""

from segmint.segments.rules.ast import (
    Between,
    Binary,
    Call,
    Feature,
    InList,
    IsNull,
    Literal,
    Node,
    Unary,
)
from segmint.segments.rules.compiler import check_features, compile_rule
from segmint.segments.rules.errors import (
    RuleError,
    RuleSyntaxError,
    RuleTypeError,
    UnknownFeatureError,
)
from segmint.segments.rules.explain import reason_expr, rule_features
from segmint.segments.rules.parser import FUNCTIONS, parse_rule

__all__ = [
    "FUNCTIONS",
    "Between",
    "Binary",
    "Call",
    "Feature",
    "InList",
    "IsNull",
    "Literal",
    "Node",
    "RuleError",
    "RuleSyntaxError",
    "RuleTypeError",
    "Unary",
    "UnknownFeatureError",
    "check_features",
    "compile_rule",
    "parse_rule",
    "reason_expr",
    "rule_features",
]
