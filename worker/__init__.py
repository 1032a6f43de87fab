"""Where untrusted code meets Docker: the rq jobs and the sandbox engine."""
