"""The service's web pages: Jinja2 templates and static assets (vendored front-end packages
in `static/vendor/`, rebuilt by `scripts/frontend/build.sh`; nothing is loaded from elsewhere)."""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"

#: Every page: scripts, styles, images and requests from this origin only; no inline script,
#: no framing. (Swagger UI's icons are `data:` images.)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it a browser sends `Origin: null` on a same-origin form POST
    # (Fetch standard), which the CSRF check rightly refuses; "same-origin" still sends
    # nothing to other sites.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
