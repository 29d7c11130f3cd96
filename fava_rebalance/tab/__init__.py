"""What the Fava extension renders: the Rebalance tab's view-models and their inputs.

``scope`` (the request's filters and report date), ``cash_input`` (the cash form's
parameters), ``cache`` (one report and one plan per scope and ledger load), ``page`` and
``plan_page`` (the view-models the templates print), ``hints`` (the ledger lines to add),
``chart`` (the SVG charts' geometry) and ``incognito`` (the downloads masked as the page is
under ``fava --incognito``). Only this folder and ``extension`` import Fava or Flask; the
class in ``extension`` only routes between them.
"""
