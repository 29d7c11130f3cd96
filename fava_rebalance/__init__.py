"""fava_rebalance: portfolio rebalancing for Beancount ledgers.

Four layers, each a folder, imports flowing one way: ``core`` (one pure step per module:
``declarations`` → ``holdings`` → ``valuation`` → ``allocation`` → ``moves``, joined by
``pipeline.analyse``), ``planner`` (the trades), ``views`` (JSON, CSV and Excel, the
terminal, the words they share) and ``tab`` (what the Fava extension renders). The core is
shared by the bean-check plugin (``beancount_plugins.rebalance``), the ``bean-rebalance``
command line (``cli``) and the Fava extension (``extension``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fava_rebalance.extension import Rebalance

__all__ = ["Rebalance"]


def __getattr__(name: str) -> type[Rebalance]:
    """``Rebalance``, the Fava extension, imported when first asked for.

    ``custom "fava-extension" "fava_rebalance"`` makes Fava look for extension classes in
    this package's namespace (``dir`` and ``getattr``); importing Fava and Flask only then
    keeps the bean-check plugin and the CLI from loading them.
    """
    if name == "Rebalance":
        from fava_rebalance.extension import Rebalance

        return Rebalance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The package's names, ``Rebalance`` included (Fava lists them to find extensions)."""
    return sorted({*globals(), "Rebalance"})
