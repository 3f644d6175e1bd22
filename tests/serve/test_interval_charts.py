"""The dashboard's interval charts: dots with asymmetric bars, no bar where a bound is missing."""

from __future__ import annotations

from segmint.web.charts import experiment_uplifts, kpi_intervals, validity_rates


def test_kpi_dots_have_asymmetric_bars_and_no_bar_without_a_bound() -> None:
    segments = [
        {
            "segment": "a",
            "kpis": {"average_order_value": {"value": 10.0, "ci_low": 8.0, "ci_high": 15.0}},
        },
        {
            "segment": "b",
            "kpis": {"average_order_value": {"value": 4.0, "ci_low": None, "ci_high": None}},
        },
        {"segment": "c", "kpis": {"average_order_value": {"value": None}}},
    ]
    chart = kpi_intervals(
        segments, "average_order_value", {"kpis": {"average_order_value": {"value": 7.0}}}, "en"
    )
    (trace,) = chart["data"]
    assert trace["y"] == [10.0, 4.0]
    assert trace["error_y"]["array"] == [5.0, None]
    assert trace["error_y"]["arrayminus"] == [2.0, None]
    assert chart["layout"]["shapes"][0]["y0"] == 7.0


def test_uplift_and_validity_dots_lie_on_the_x_axis_one_row_each() -> None:
    results = [
        {"variant": "b", "segment": "all", "uplift_abs": 0.02, "ci_low": -0.01, "ci_high": 0.06},
        {"variant": "b", "segment": "vip", "uplift_abs": 0.05, "ci_low": None, "ci_high": None},
    ]
    uplift = experiment_uplifts(results, "en")
    (trace,) = uplift["data"]
    assert trace["x"] == [0.02, 0.05] and trace["name"] == "b"
    assert trace["error_x"]["arrayminus"][0] == 0.03
    assert trace["error_x"]["array"][1] is None
    assert uplift["layout"]["height"] == 220

    entry = {
        "segments": [
            {"segment": f"s{i}", "churn_rate": 0.2, "ci_low": 0.1, "ci_high": 0.35}
            for i in range(6)
        ]
    }
    validity = validity_rates(entry, "ko")
    (dots,) = validity["data"]
    assert len(dots["y"]) == 6 and dots["x"] == [0.2] * 6
    assert round(dots["error_x"]["array"][0], 9) == 0.15
    assert validity["layout"]["height"] == 60 + 32 * 6
