"""Code that runs inside the sandbox image (standard library, pytest and httpx only).

`app_runner` serves the candidate's app; `suite_runner` runs the hidden suite against it from
another container; `protocol` is the line-framed JSON both speak with the worker.
"""
