"""Rebalancing over time on the tab: the review line, the drift history chart, the plan's entries.

The ledger and its figures, worked out by hand, are ``test_drift_history``'s (with a title
and the extension line). The chart's geometry is checked on a series whose positions are
worked out below.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from fava.application import create_app
from fava_support import page_html
from flask import Flask
from flask.testing import FlaskClient
from test_drift_history import LEDGER

from fava_rebalance.core.rebalances import Rebalance
from fava_rebalance.tab.history_chart import PANEL_HEIGHT, Series, chart_width, history_chart, masked
from fava_rebalance.tab.history_page import chart_range

D = datetime.date
TAB = "/rebalance-history/extension/Rebalance/"
FIGURE = re.compile(r"\d+\.\d\d|\d+%")


def _app(tmp_path: Path, **options: Any) -> Flask:
    path = tmp_path / "history.beancount"
    header = 'option "title" "Rebalance History"\n2020-01-01 custom "fava-extension" "fava_rebalance"\n'
    path.write_text(header + dedent(LEDGER), encoding="utf-8")
    app = create_app([path], load=True, **options)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return _app(tmp_path_factory.mktemp("history")).test_client()


def _get(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response.get_data(as_text=True)


def test_the_header_says_when_the_portfolio_was_last_rebalanced(client: FlaskClient) -> None:
    html = page_html(client, TAB + "?time=2024-10-15")
    # Quarterly from the rebalance of 2024-06-10: due 2024-09-10, overdue on 2024-10-15.
    assert ('<p class="rebalance-review rebalance-overdue">Last rebalanced 2024-06-10 · next review '
            '2024-09-10 (overdue), quarterly<br><span class="rebalance-pending">Pending rebalance (flag !, '
            'not yet confirmed): 2024-10-15 (Planned top-up)</span></p>') in html
    before = page_html(client, TAB + "?time=2024-08-31")
    assert ('<p class="rebalance-review">Last rebalanced 2024-06-10 · next review 2024-09-10, quarterly</p>'
            in before)


def test_the_page_leaves_a_slot_the_script_fills(client: FlaskClient) -> None:
    html = page_html(client, TAB + "?time=2024&cash=")
    slot = re.search(r'data-rebalance-history="([^"]*)"', html)
    assert slot is not None
    assert slot.group(1) == TAB + "history?time=2024"  # the filters, not the cash input
    assert "<svg class=\"rebalance-chart rebalance-history-chart\"" not in html  # not computed with the page


def _dots(fragment: str) -> list[tuple[str, str]]:
    """(class, tooltip) of every dot of the chart."""
    return re.findall(r'<circle class="([^"]*)"[^>]*><title>([^<]*)</title>', fragment)


def test_a_year_month_by_month(client: FlaskClient) -> None:
    fragment = _get(client, TAB + "history?time=2024")
    # time=2024: from 2024-01-01 to 2024-12-31, every month end: 12 points per category.
    assert ("at the end of every month from <time datetime=\"2024-01-31\">2024-01-31</time> to "
            "<time datetime=\"2024-12-31\">2024-12-31</time>") in fragment
    dots = _dots(fragment)
    assert len(dots) == 24
    assert ("rebalance-dot rebalance-dot-outside",
            "Bonds, 2024-04-30: 33.33%, target 40.00% (outside its band)") in dots
    assert ("rebalance-dot", "Stocks, 2024-04-30: 65.00%, target 60.00% (inside its band)") in dots
    # Outside: Bonds in April, May, July and September; Stocks in May and July.
    outside = sorted(t.split(":")[0] for c, t in dots if "outside" in c)
    assert outside == ["Bonds, 2024-04-30", "Bonds, 2024-05-31", "Bonds, 2024-07-31", "Bonds, 2024-09-30",
                       "Stocks, 2024-05-31", "Stocks, 2024-07-31"]
    # The rebalance of June and the pending one of October are marked, the second dashed.
    marks = re.findall(r'<g class="(rebalance-mark[^"]*)">\s*<title>([^<]*)</title>', fragment)
    assert marks == [("rebalance-mark", "2024-06-10: Sell a stock, buy bonds"),
                     ("rebalance-mark rebalance-mark-pending", "2024-10-15: Planned top-up (pending)")]
    # Both panels are titled with their last target and band (50/50 from July, ± 5).
    assert '>Bonds <tspan class="rebalance-muted">target 50.00% ± 5.00</tspan>' in fragment
    # Nothing is outside on 2024-12-31: no "since" list.
    assert "Outside the band since" not in fragment


def test_a_short_range_week_by_week_with_since(client: FlaskClient) -> None:
    # 2024-01-01 to 2024-05-31 is 151 days, short enough for weekly points: the Sundays from
    # 2024-01-07 to 2024-05-26 (4 in January, 4 in February, 5 in March, 4 in April, 4 in May:
    # 21), then 2024-05-31. On 2024-01-07 nothing is held yet (the purchase is on 01-10), so
    # that point has no dot: 21 per category.
    fragment = _get(client, TAB + "history?time=2024-01 - 2024-05")
    assert "at the end of every week" in fragment
    assert len(_dots(fragment)) == 2 * 21
    # outside_since reads the monthly history since the first target, whatever the range:
    # Bonds since 2024-04-30, Stocks since 2024-05-31 (test_drift_history).
    assert re.findall(r"<li>(\w+): since <time[^>]*>([\d-]+)</time></li>", fragment) == [
        ("Bonds", "2024-04-30"), ("Stocks", "2024-05-31")]


def test_a_bad_time_filter_is_a_400(client: FlaskClient) -> None:
    response = client.get(TAB + "history?time=2024-13")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"


def test_the_plan_as_entries_on_the_page_and_as_a_download(client: FlaskClient) -> None:
    # On 2024-05-31 (STK 6 × 140 = 840 of 1,260: 66.67%, target 60%) the plan sells 1 STK (140)
    # and buys 10 BND (100: Bonds 500, the nearest to 40% × 1,260 = 504); the 40 left stay as
    # cash. Assets:Broker has no tax-status, so its trading account is its parent, "Assets",
    # which Beancount cannot name alone: the cash stays in Assets:Broker.
    html = page_html(client, TAB + "?time=2024-05-31&cash=")
    block = re.search(r'<pre class="rebalance-entries" tabindex="0">(.*?)</pre>', html, re.S)
    assert block is not None
    assert "2024-05-31 ! &#34;Rebalance Assets&#34; #rebalance" in block.group(1)
    assert "  Assets:Broker         10 BND {10 USD}\n  Assets:Broker         40 USD\n" in block.group(1)
    download = client.get(TAB + "plan.beancount?time=2024-05-31")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="rebalance-2024-05-31.beancount"'
    text = download.get_data(as_text=True)
    assert '2024-05-31 ! "Rebalance Assets" #rebalance' in text
    assert text.replace('"', "&#34;").strip() == block.group(1).strip()


def test_incognito_draws_no_figure(tmp_path: Path) -> None:
    client = _app(tmp_path, incognito=True).test_client()
    fragment = _get(client, TAB + "history?time=2024")
    visible = re.sub(r"<[^>]*>", " ", fragment)
    assert FIGURE.findall(visible) == []
    titles = re.findall(r"<title>([^<]*)</title>", fragment)
    assert titles
    assert not [t for t in titles if FIGURE.search(t)]
    # A dot drawn on the zero line does not say in its tooltip that it was outside its band.
    assert not [t for t in titles if "its band" in t]
    # Every dot sits on its panel's zero line and every band is the same: the geometry gives no
    # drift away, and no dot is marked outside.
    zeros = re.findall(r'class="rebalance-history-zero"[^>]*y1="([\d.]+)"', fragment)
    panels = fragment.split('<g class="rebalance-history-panel">')[1:]
    assert len(panels) == len(zeros) == 2
    for panel, zero in zip(panels, zeros, strict=True):
        assert set(re.findall(r'<circle[^>]*cy="([\d.]+)"', panel)) == {zero}
    assert "rebalance-dot-outside" not in fragment
    assert "rebalance-drift-outside" not in fragment
    bands = re.findall(r'<polygon class="rebalance-band" points="([^"]*)"', fragment)
    offsets = {tuple(round(float(p.split(",")[1]) - float(z), 1) for p in band.split())
               for band, z in zip(bands, zeros, strict=True)}
    assert len(offsets) == 1
    download = client.get(TAB + "plan.beancount?time=2024-05-31").get_data(as_text=True)
    assert "#rebalance" in download
    assert not re.search(r"\d", download)


# --- the chart's geometry, by hand ----------------------------------------------------------

def test_chart_geometry() -> None:
    # Three dates 10 days apart; the plot runs from x = 46 to 708 (662 wide), so the points
    # sit at 46, 46 + 331 = 377 and 708. The largest of |drift| and band is 6.5, so the
    # scale is the next of 1, 2, 5, 10 ... above it: ±10 points over half a panel, 36 units.
    # The first panel's top is 24 (room for the marks) + 18 (its title) = 42; its zero line
    # 42 + 36 = 78. Drift +6.5 → 78 - 6.5/10 × 36 = 54.6; -2 → 85.2; band ±5 → 60 and 96.
    dates = (D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 21))
    series = (Series("Stocks", "target 60.00% ± 5.00", (
        (dates[0], Decimal("6.5"), Decimal(5), True, "a"),
        (dates[1], Decimal("6.5"), Decimal(5), True, "b"),
        (dates[2], Decimal(-2), Decimal(5), False, "c"))),)
    rebalance = Rebalance(D(2024, 1, 11), "Rebalance", False, None)  # type: ignore[arg-type]
    chart = history_chart(series, dates, [rebalance])
    panel = chart.panels[0]
    assert (panel.top, panel.zero, panel.bottom) == (42.0, 78.0, 42.0 + PANEL_HEIGHT)
    assert [(d.x, d.y, d.outside) for d in panel.dots] == [
        (46.0, 54.6, True), (377.0, 54.6, True), (708.0, 85.2, False)]
    assert panel.band == "46.0,60.0 377.0,60.0 708.0,60.0 708.0,96.0 377.0,96.0 46.0,96.0"
    # Two points outside in a row make an outside stretch; the step back inside is not one.
    assert [(s.points, s.outside) for s in panel.segments] == [
        ("46.0,54.6 377.0,54.6", True), ("377.0,54.6 708.0,85.2", False)]
    assert [(m.x, m.date) for m in chart.rebalances] == [(377.0, "2024-01-11")]
    assert panel.scale == ((42.0, "+10"), (78.0, "0"), (114.0, "−10"))
    # Masked: every dot on the zero line, the band ±5 of a ±10 scale, nothing outside.
    hidden = masked(series, dates, [rebalance]).panels[0]
    assert {(d.y, d.outside) for d in hidden.dots} == {(78.0, False)}
    assert hidden.band == "46.0,60.0 377.0,60.0 708.0,60.0 708.0,96.0 377.0,96.0 46.0,96.0"


def test_the_chart_takes_the_width_of_its_column() -> None:
    # test_chart_geometry's series laid out 1,100 wide: the plot runs from 46 to 1,100 - 12 =
    # 1,088; the middle date (10 of 20 days) at 46 + 1,042 / 2 = 567. Heights do not change.
    dates = (D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 21))
    series = (Series("Stocks", "", tuple((day, Decimal(1), Decimal(5), False, "") for day in dates)),)
    rebalance = Rebalance(D(2024, 1, 11), "Rebalance", False, None)  # type: ignore[arg-type]
    chart = history_chart(series, dates, [rebalance], width=1100.0)
    assert (chart.width, chart.plot_left, chart.plot_right) == (1100.0, 46.0, 1088.0)
    assert [d.x for d in chart.panels[0].dots] == [46.0, 567.0, 1088.0]
    assert [m.x for m in chart.rebalances] == [567.0]
    assert chart.height == history_chart(series, dates, [rebalance]).height
    assert masked(series, dates, [rebalance], 1100.0).panels[0].dots[-1].x == 1088.0


@pytest.mark.parametrize(("asked", "width"), [
    (None, 720.0), ("", 720.0), ("1100", 1100.0), ("100", 320.0), ("99999", 1600.0),
    ("abc", 720.0), ("-5", 720.0), ("1e3", 720.0), ("12345678", 720.0), ("1100.5", 720.0)])
def test_the_width_a_request_asks_for(asked: str | None, width: float) -> None:
    assert chart_width(asked) == width


def test_the_history_is_laid_out_for_the_width_asked(client: FlaskClient, tmp_path: Path) -> None:
    html = _get(client, TAB + "history?time=2024&width=1100")
    assert 'viewBox="0 0 1100.0 ' in html
    assert 'width="1100.0"' in html
    assert 'width="720.0"' in _get(client, TAB + "history?time=2024&width=x")
    hidden = _app(tmp_path, incognito=True).test_client()
    assert 'width="1000.0"' in _get(hidden, TAB + "history?time=2024&width=1000")


def test_a_point_without_a_target_breaks_the_line() -> None:
    dates = (D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 4))
    points = ((dates[0], Decimal(1), Decimal(2), False, ""), (dates[1], Decimal(1), Decimal(2), False, ""),
              (dates[2], None, Decimal(0), False, ""), (dates[3], Decimal(1), Decimal(2), False, ""))
    panel = history_chart((Series("Bonds", "", points),), dates, []).panels[0]
    assert len(panel.dots) == 3
    assert len(panel.segments) == 1  # the lone last point has no line


def test_chart_range() -> None:
    first_target, earliest, last = D(2024, 1, 1), D(2020, 1, 1), D(2026, 11, 20)
    # No time filter: the whole history since the first target, month by month.
    assert chart_range(first_target, None, earliest, last) == (D(2024, 1, 1), "month")
    # time=2026: from 2026-01-01; 323 days (> 186): month by month.
    assert chart_range(first_target, D(2026, 1, 1), earliest, last) == (D(2026, 1, 1), "month")
    # time=2026-06 - 2026-11-20: 172 days (30 + 31 + 31 + 30 + 31 + 19): week by week.
    assert chart_range(first_target, D(2026, 6, 1), earliest, last) == (D(2026, 6, 1), "week")
    # A filter from before the ledger starts begins at its first entry.
    assert chart_range(first_target, D(2001, 1, 1), earliest, last) == (D(2020, 1, 1), "month")


def test_a_long_range_draws_at_most_600_points() -> None:
    # 1976-01 to 2025-12: (2025 - 1976) × 12 + 12 = 600 month-ends, the most: month by month.
    assert chart_range(D(1976, 1, 1), None, D(1976, 1, 1), D(2025, 12, 31)) == (D(1976, 1, 1), "month")
    # 1975-12 to 2025-12: 601 month-ends, 167 quarter-ends: quarter by quarter.
    assert chart_range(D(1975, 12, 1), None, D(1975, 1, 1), D(2025, 12, 31)) == (D(1975, 12, 1), "quarter")
    # 1800 months (150 years) is the most by quarter; 1,801 is year by year.
    assert chart_range(D(1876, 1, 1), None, D(1876, 1, 1), D(2025, 12, 31))[1] == "quarter"
    assert chart_range(D(1875, 12, 1), None, D(1875, 1, 1), D(2025, 12, 31))[1] == "year"
    # time=2024 - 9998: year by year, and the last 600 years only: 9998 - 600 + 1 = 9399.
    found = chart_range(D(2024, 1, 1), D(2024, 1, 1), D(2020, 1, 1), D(9998, 12, 31))
    assert found == (D(9399, 1, 1), "year")
