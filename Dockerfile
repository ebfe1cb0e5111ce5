# One image for web, worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# make: the web server is `make serve`, the same command as on a developer's machine.
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp2 make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt Makefile ./
COPY config ./config
COPY exercises ./exercises
COPY grader ./grader
COPY manage.py ./
# The venv the Makefile expects (.venv), with the runtime dependencies only; its stamp tells
# make it is installed. On PATH, so python, celery and gunicorn are the venv's.
RUN python -m venv .venv && .venv/bin/pip install -c constraints.txt . && touch .venv/.installed \
    && useradd --system --uid 10001 stride && mkdir -p /app/var && chown stride /app/var
ENV PATH=/app/.venv/bin:$PATH STRIDE_BIND=0.0.0.0:8000
RUN SECRET_KEY=build-only python manage.py compile_translations \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0
USER stride
EXPOSE 8000
CMD ["make", "serve"]
