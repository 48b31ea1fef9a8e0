# The app (and, with another command, the Chroma server) in one image.
# It runs the same install as CI: scripts/setup.sh into /app/.venv from requirements.txt.
# No registry is reachable from CI, so this file is not built there; the equivalent commands
# without containers are in docs/deploy.md (the ones tests/test_chroma_server.py runs).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    ANONYMIZED_TELEMETRY=False \
    GRADIO_ANALYTICS_ENABLED=False \
    NEWSQA_HOME=/data \
    NEWSQA_HOST=0.0.0.0 \
    NEWSQA_PORT=7860

WORKDIR /app
COPY requirements.txt scripts/setup.sh ./
# torch's CPU build first (CI installs the same version from a local wheel; from PyPI an
# unpinned or plain torch is the multi-GB CUDA build), then everything else as CI does.
RUN python -m venv .venv \
    && .venv/bin/pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && mkdir -p scripts && mv setup.sh scripts/ \
    && PIP_NO_CACHE_DIR=1 bash scripts/setup.sh

COPY . .
RUN useradd --create-home newsqa && mkdir -p /data && chown newsqa /data
USER newsqa
VOLUME ["/data"]
EXPOSE 7860
CMD [".venv/bin/python", "app.py"]
