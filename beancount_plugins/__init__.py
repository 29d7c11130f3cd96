"""Beancount plugins shipped with fava_rebalance (``plugin "beancount_plugins.rebalance"``)."""
