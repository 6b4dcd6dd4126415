# 支援策マッチ: the site and API, served by uvicorn with several workers.
# The catalog ships inside the image; migrations run and the catalog is published on start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SHIEN_ENVIRONMENT=production \
    PORT=8000 \
    WEB_CONCURRENCY=4 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/shien-metrics

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY rules ./rules
COPY programs ./programs
COPY matcher ./matcher
COPY web ./web
RUN pip install . && useradd --create-home --uid 10001 shien && chown -R shien /app
USER shien

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
# Metrics of all workers are summed from PROMETHEUS_MULTIPROC_DIR, emptied at each start. SIGTERM (docker stop)
# reaches uvicorn (exec): it stops accepting, lets requests in flight finish for up to 20 s, then exits.
CMD ["sh", "-c", "rm -rf \"$PROMETHEUS_MULTIPROC_DIR\" && mkdir -p \"$PROMETHEUS_MULTIPROC_DIR\" && shien db upgrade && shien catalog load && exec uvicorn web.main:app --host 0.0.0.0 --port ${PORT} --workers ${WEB_CONCURRENCY} --timeout-graceful-shutdown 20"]
