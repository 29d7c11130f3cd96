"""Helpers shared by the Fava page tests: fetch a page, insist it rendered cleanly, read its tables."""

from __future__ import annotations

from html.parser import HTMLParser

from flask.testing import FlaskClient


def page_html(client: FlaskClient, url: str) -> str:
    """The page's HTML; fails the test on any status but 200 or a stack trace in the page."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    return html


class _Rows(HTMLParser):
    """The cell texts (``td`` and ``th``) of each ``<tr class="{row_class}">``.

    Each row comes with the ``id`` of the ``tbody`` it sits in (``""`` before any), so the
    drift table's rows can be told apart by section. A cell's text is its whitespace folded.
    """

    def __init__(self, row_class: str) -> None:
        super().__init__()
        self.row_class = row_class
        self.rows: list[tuple[str, list[str]]] = []
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tbody" and found.get("id"):
            self._section = found["id"] or ""
        elif tag == "tr" and found.get("class") == self.row_class:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append((self._section, self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str, row_class: str) -> list[tuple[str, list[str]]]:
    """``(tbody id, [cell texts])`` for each ``<tr class="{row_class}">`` of ``html``, in order.

    The one HTML-table reader of the page tests (the drift table, the plan's panel): the
    parser unescapes, so a hostile name comes back exactly as the ledger wrote it.
    """
    parser = _Rows(row_class)
    parser.feed(html)
    return parser.rows
