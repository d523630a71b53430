# Champion: one image for every `serve` replica.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .
COPY flows ./flows
COPY knowledge ./knowledge
COPY nlu_data ./nlu_data
# Content is read from /app; the classifier cache and SQLite (if used) live in /data.
ENV FLOWS_DIR=/app/flows KNOWLEDGE_DIR=/app/knowledge NLU_DATA_DIR=/app/nlu_data DATA_DIR=/data
RUN useradd --system --home /data champion && mkdir -p /data && chown champion /data
USER champion
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["python", "-m", "bot", "serve", "--host", "0.0.0.0", "--port", "8000"]
