# The service's image (API and workers). Sandboxes use their own image: `grader sandbox build`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADER_HOST=0.0.0.0

WORKDIR /srv/interview-grader
COPY pyproject.toml README.md ./
COPY grader ./grader
COPY worker ./worker
COPY challenges ./challenges
# Editable: the catalog, migrations and the sandbox image's build inputs stay where the code
# expects them.
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --home-dir /srv/interview-grader grader

# The API needs no privilege. The worker service runs as root to use the Docker socket
# (see docker-compose.yml and docs/security.md).
USER grader
EXPOSE 8000
CMD ["grader", "serve"]
