"""tax-rules de: first in, first out per depot, Teilfreistellung, the Sparer-Pauschbetrag.

Figures worked by hand from the rules' own text:

- § 20 Abs. 4 Satz 7 EStG, as Littmann/Bitz/Pust (Rn. 1445) states it (the SPEC takes the
  trading account as the depot): "Bei vertretbaren
  Wertpapieren, die einem Verwahrer zur Girosammelverwahrung anvertraut worden sind, wird
  unterstellt, dass die zuerst angeschafften Wertpapiere zuerst veräußert werden
  (first-in-first-out; Fifo-Methode) ... Einzelanweisungen von Kunden sind
  einkommensteuerrechtlich unbeachtlich. Dabei ist auf das einzelne Depot abzustellen. Ein
  Unterdepot gilt als einzelnes Depot."
- § 20 InvStG (Teilfreistellung): "(1) Steuerfrei sind bei Aktienfonds 30 Prozent der
  Erträge (Aktienteilfreistellung) ... (2) Bei Mischfonds ist die Hälfte der für Aktienfonds
  geltenden Aktienteilfreistellung anzusetzen."
- The Abgeltungsteuer of 25% (§ 32d Abs. 1 EStG) with the 5.5% solidarity surcharge on it:
  26.375%, the default ``tax-rate``; the Sparer-Pauschbetrag of 1,000 EUR a year for a
  single person (§ 20 Abs. 9 EStG since 2023), the default ``allowance``. These two are
  from the statutes' text: no page of the search tool's corpora states them with an example.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from textwrap import dedent

from planner_support import plan_of, trade

from fava_rebalance.planner.model import FIFO

D = Decimal

HEAD = """
option "operating_currency" "EUR"
2019-01-01 custom "rebalance-option" "tax-rules" "de"
2019-01-01 open Assets:Depot
  tax-status: "taxable"
2019-01-01 open Assets:Depot:Cash EUR
  asset-class: "Cash"
2019-01-01 open Equity:Opening
2019-01-01 open Income:Gains
2019-01-01 commodity ETF
  asset-class: "Stocks"
  partial-exemption: 30
2019-01-01 commodity AKTIE
  asset-class: "Stocks"
2019-01-01 custom "rebalance-target" "Stocks" 50
2019-01-01 custom "rebalance-target" "Cash" 50
"""

NAMED_LOT = HEAD + """
2020-03-02 * "10 at 100"
  Assets:Depot  10 AKTIE {100 EUR}
  Equity:Opening
2021-03-01 * "10 at 150"
  Assets:Depot  10 AKTIE {150 EUR}
  Equity:Opening
2022-05-02 * "10 sold at 160, the ledger naming the 2021 lot"
  Assets:Depot  -10 AKTIE {150 EUR} @ 160 EUR
  Equity:Opening  1600 EUR
  Income:Gains  -100 EUR
2025-06-02 * "cash"
  Assets:Depot:Cash  1000 EUR
  Equity:Opening
2025-06-02 price AKTIE 200 EUR
"""


def test_a_sale_takes_the_oldest_units_whatever_lot_the_ledger_named() -> None:
    # By FIFO the 2022 sale took the 2020 lot (cost 100), whatever the ledger wrote; what is
    # left is the 2021 lot, at 150. On 2 June 2025: 10 at 200 = 2,000 and 1,000 of cash:
    # Stocks 66.67% against 50%: sell 500 = 2.5 units, whole units 2 or 3. Each unit gains
    # 200 − 150 = 50 (the ledger's lot, at 100, would say 100). The ledger's own lot, the
    # one a STRICT reduction can name, is the 2020 one.
    result, _ = plan_of(NAMED_LOT, "2025-06-02")
    sale = trade(result, "Assets:Depot", "AKTIE")
    assert [(lot.match, lot.date, lot.cost) for lot in sale.lots] == [
        (FIFO, datetime.date(2021, 3, 1), D(150))]
    assert sale.gain == sale.units * 50
    assert [(lot.date, lot.cost) for lot in sale.ledger_lots] == [(datetime.date(2020, 3, 2), D(100))]
    assert "first in, first out in the depot: the lot of 2021-03-01" in sale.reason


def test_the_earlier_sale_used_the_allowance_at_its_fifo_gain() -> None:
    # The 2022 sale's gain by FIFO is 10 × (160 − 100) = 600; it is in 2022, not in the
    # tax year of the plan (2025), so the 2025 allowance is whole: 1,000.
    result, _ = plan_of(NAMED_LOT, "2025-06-02")
    assert (result.tax.allowance, result.tax.allowance_used, result.tax.allowance_left) == (1000, 0, 1000)
    # And on a date in 2022, it has used 600 of it.
    earlier, _ = plan_of(NAMED_LOT.replace("2025-06-02 price", "2022-06-01 price"), "2022-06-01")
    assert (earlier.tax.allowance_used, earlier.tax.allowance_left) == (D(600), D(400))


EXEMPT = HEAD + """
2020-01-02 * "30 ETF at 100, 30 AKTIE at 100"
  Assets:Depot  30 ETF {100 EUR}
  Assets:Depot  30 AKTIE {100 EUR}
  Equity:Opening
2025-02-03 * "10 AKTIE sold at 180: a gain of 800"
  Assets:Depot  -10 AKTIE {100 EUR} @ 180 EUR
  Assets:Depot:Cash  1800 EUR
  Income:Gains  -800 EUR
2025-06-02 price ETF 200 EUR
2025-06-02 price AKTIE 200 EUR
"""


def test_an_equity_funds_gain_is_taxed_at_70_percent_above_the_allowance_left() -> None:
    # Stocks: 30 ETF + 20 AKTIE at 200 = 10,000; cash 1,800: 11,800, Stocks 84.75% against
    # 50%: sell 4,100. The 800 of the February sale used 800 of the 1,000 allowance. An ETF
    # unit gains 100, of which 30% is exempt: 70 taxable; an AKTIE unit gains 100, all
    # taxable. With each ETF unit sold, tax = 0.26375 × (800 + 70·e + 100·a − 1,000) where
    # it is positive.
    result, _ = plan_of(EXEMPT, "2025-06-02")
    etf, aktie = (sum((t.units for t in result.trades if t.commodity == c), D(0)) for c in ("ETF", "AKTIE"))
    assert etf + aktie in (D(20), D(21))  # 4,100 / 200 = 20.5: whole units
    assert result.tax.gain == (etf + aktie) * 100
    assert result.tax.exempt_gain == etf * 30
    assert result.tax.included_gain == etf * 70 + aktie * 100
    taxable = D(800) + etf * 70 + aktie * 100 - 1000
    assert result.tax.estimated_tax == D("0.26375") * max(taxable, D(0))
    assert (result.tax.allowance_used, result.tax.allowance_left) == (D(800), D(200))
    # The exempt fund is cheaper to sell: the plan sells all 30 ETF first (least tax).
    assert etf == 30 or aktie == 0


def test_a_worked_figure() -> None:
    # One ETF sale alone: 5 of the 30 units (a withdrawal of 1,000 with every band wide, and
    # AKTIE not for sale).
    # Gain 5 × 100 = 500, 150 exempt, 350 taxable; with 800 used: 0.26375 × (800 + 350 −
    # 1,000) = 0.26375 × 150 = 39.5625, shown 39.56.
    text = EXEMPT + '2019-01-01 custom "rebalance-option" "band" 49\n'
    text = text.replace('2019-01-01 commodity AKTIE\n  asset-class: "Stocks"',
                        '2019-01-01 commodity AKTIE\n  asset-class: "Stocks"\n  rebalance-sell: FALSE')
    result, _ = plan_of(text, "2025-06-02", cash="-1000@Assets:Depot")
    sale = trade(result, "Assets:Depot", "ETF")
    assert (sale.units, sale.gain) == (D(5), D(500))
    assert result.tax.estimated_tax == D("39.5625")
    assert "30% of it exempt (partial exemption)" in sale.reason


def test_the_depot_is_the_trading_account() -> None:
    # One depot (the trading account) with two sub-accounts: A holds 10 AKTIE bought in 2020
    # at 100 (and may not sell), B 10 bought in 2021 at 150. A sale from B takes the depot's
    # oldest units, A's 2020 lot: a gain of 200 − 100 = 100 a unit, not 50. The ledger lot
    # the order reduces is B's own.
    text = HEAD + dedent("""
    2019-01-01 open Assets:Depot:A
      rebalance-sell: FALSE
    2019-01-01 open Assets:Depot:B
    2020-03-02 * "10 at 100 in A"
      Assets:Depot:A  10 AKTIE {100 EUR}
      Equity:Opening
    2021-03-01 * "10 at 150 in B"
      Assets:Depot:B  10 AKTIE {150 EUR}
      Assets:Depot:Cash  2000 EUR
      Equity:Opening
    2025-06-02 price AKTIE 200 EUR
    """)
    result, _ = plan_of(text, "2025-06-02")
    sale = trade(result, "Assets:Depot:B", "AKTIE")
    assert [(lot.date, lot.cost) for lot in sale.lots] == [(datetime.date(2020, 3, 2), D(100))]
    assert sale.gain == sale.units * 100
    assert [(lot.date, lot.cost) for lot in sale.ledger_lots] == [(datetime.date(2021, 3, 1), D(150))]
