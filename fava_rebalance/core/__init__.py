"""The core: from ledger entries to where the portfolio stands and what to move.

One pure step per module, over frozen data, shared by every view: ``declarations`` (what
the ledger declares), ``holdings`` and ``recent`` (what is held, what was traded in the
wash-sale window), ``pricebook`` and ``valuation`` (values on a date), ``allocation`` (the
three sections and their bands), ``moves`` and ``band_deposit`` (what to move, what to
deposit), and ``pipeline`` (``Ledger`` and ``analyse``, the one entry point). Nothing here
imports Fava, Flask, pandas or the planner.
"""
