# The browser side, from the npm packages of web/package-lock.json (the server serves it all: no CDN): GraphiQL's
# files, the learner app (/) and the partner console (/console), typed against the committed schema.
FROM node:22-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY schema/schema.graphql /src/schema/schema.graphql
COPY web ./
RUN rm -rf dist src/gql && npm run build

FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 HF_HUB_OFFLINE=1
WORKDIR /srv/pathwise

# torch's CPU build first, so that sentence-transformers does not pull a CUDA build.
ARG TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
RUN pip install torch==2.13.0 ${TORCH_PIP_ARGS}

COPY pyproject.toml README.md ./
COPY app ./app
COPY schema ./schema
COPY resolvers ./resolvers
COPY recommenders ./recommenders
COPY plugins ./plugins
RUN pip install '.[ml]'
COPY --from=web /src/web/dist ./web/dist

RUN useradd --create-home pathwise && mkdir -p /var/lib/pathwise && chown pathwise /var/lib/pathwise
USER pathwise
ENV PATHWISE_HOST=0.0.0.0 PATHWISE_PORT=8000 PATHWISE_DATA_DIR=/var/lib/pathwise \
    PATHWISE_GRAPHIQL_ASSETS=/srv/pathwise/web/dist/graphiql PATHWISE_WEB_APPS_ASSETS=/srv/pathwise/web/dist
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["pathwise", "serve"]
