# Scaleboard: the app (and the `scaleboard` CLI for refresh/check jobs) in one image.
# Build: docker build -t scaleboard .   Run: docker run -p 8501:8501 -e SCALEBOARD_LAKEHOUSE=/lakehouse \
#   -v /path/to/lakehouse:/lakehouse scaleboard
# Secrets (OIDC, SMTP, the local user file) come from the environment or mounted files, never the image.

# ---- build: resolve the locked dependencies into a virtual environment (no dev tools)
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY analytics ./analytics
COPY app ./app
RUN uv sync --frozen --no-dev --no-editable

# ---- runtime: the environment, the app, a non-root user
FROM python:3.11-slim
RUN groupadd --gid 10001 scaleboard && useradd --uid 10001 --gid 10001 --create-home scaleboard
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY app ./app
COPY pages ./pages
COPY .streamlit/config.toml ./.streamlit/config.toml
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    SCALEBOARD_LAKEHOUSE=/lakehouse \
    SCALEBOARD_USERS_FILE=/secrets/users.toml
USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
# In a container the server must listen on all interfaces; put it behind TLS (ingress) in production.
CMD ["streamlit", "run", "app/main.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
