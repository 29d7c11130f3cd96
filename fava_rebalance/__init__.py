"""fava_rebalance: portfolio rebalancing for Beancount ledgers.

The library (one pure step per module: ``declarations`` → ``holdings`` → ``valuation`` →
``report`` → ``moves``) is shared by the bean-check plugin (``beancount_plugins.rebalance``),
the ``bean-rebalance`` command line and the Fava extension.
"""
