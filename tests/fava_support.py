"""Helpers shared by the Fava page tests: fetch a page and insist it rendered cleanly."""

from __future__ import annotations

from flask.testing import FlaskClient


def page_html(client: FlaskClient, url: str) -> str:
    """The page's HTML; fails the test on any status but 200 or a stack trace in the page."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    return html
