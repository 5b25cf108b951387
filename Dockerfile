# One image for every component; docker-compose.yml picks the command.
FROM python:3.11-slim-bookworm
RUN apt-get update -q && apt-get install -y -q --no-install-recommends etcd-server \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY apimachinery apimachinery
COPY kubeproto kubeproto
COPY services services
COPY cluster cluster
COPY tools tools
COPY gateway gateway
RUN pip install --no-cache-dir -e .
