"""The API documentation works with no internet: the page and everything it loads come from
the service itself."""

from __future__ import annotations

import re

from tests.api.conftest import Api

#: Hosts of public CDNs and font services a page could pull from.
CDN = re.compile(r"(cdn\.|unpkg\.com|cdnjs\.|jsdelivr|fonts\.googleapis|fonts\.gstatic)")


def test_docs_load_only_from_the_service(api: Api) -> None:
    page = api.http.get("/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "<script>" not in page.text  # no inline script: the policy forbids it
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls, page.text
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = api.http.get(url)
        assert asset.status_code == 200, url
        if url.endswith((".js", ".css")):
            assert not CDN.search(asset.text), url
        if url.startswith("/static/app/"):  # our own code: no absolute URL at all
            assert not re.search(r"https?://", asset.text), url
    # Swagger UI's default shows a badge from an online validator: switched off.
    assert "validatorUrl: null" in api.http.get("/static/app/api-docs.js").text
    assert api.http.get("/openapi.json").status_code == 200
    assert api.http.get("/redoc").status_code == 404  # not offered (it needs inline styles)
