# Costplane's container image: `costplane` as the entry point, `serve` by default.
#
#   docker build -t costplane:dev .
#   docker run --rm costplane:dev --help
#
# Two stages: the builder installs Costplane and exactly the versions locked in
# constraints.txt into a virtualenv; the runtime stage is the same slim Python with that
# virtualenv copied in, a non-root user and no compiler, pip cache or source tree.
# Both stages use the same base so that the virtualenv's interpreter path holds. Pinned
# by tag (the patch release and Debian 12); pin the digest too in your registry
# mirror, and let Renovate or Dependabot raise both.
# tests/deploy/test_dockerfile.py checks these properties (no image is built in CI).

FROM python:3.11.14-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/costplane
WORKDIR /build
# The lock first: the dependency layer is rebuilt only when the lock or pyproject changes.
COPY constraints.txt pyproject.toml README.md ./
COPY src ./src
# Every dependency at its locked version. All of them install from manylinux wheels on
# CPython 3.11 x86-64 (as in the development environment), so this stage needs no
# compiler either: a dependency that needed one would fail the build, not pull gcc in.
RUN /opt/costplane/bin/pip install --constraint constraints.txt . \
 && /opt/costplane/bin/pip check

FROM python:3.11.14-slim-bookworm

# DejaVu Sans: the statement PDF's font (every character a tenant's name may hold).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid and gid, so that Kubernetes' runAsNonRoot can check them
# (deploy/kubernetes runs as 10001 too).
RUN groupadd --system --gid 10001 costplane \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /var/lib/costplane --shell /usr/sbin/nologin costplane \
 && install --directory --owner 10001 --group 10001 /var/lib/costplane

COPY --from=builder /opt/costplane /opt/costplane

ENV PATH=/opt/costplane/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    COSTPLANE_HOME=/var/lib/costplane \
    XDG_CACHE_HOME=/tmp/.cache

WORKDIR /var/lib/costplane
USER 10001:10001
EXPOSE 8080

# No HEALTHCHECK: the same image runs the collectors and jobs, where an HTTP check would
# mark a healthy job unhealthy; Kubernetes ignores it anyway and uses the probes on
# /healthz and /readyz (deploy/kubernetes/base/server.yaml).
ENTRYPOINT ["costplane"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
