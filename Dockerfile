# The Airflow image of the Lightspeed eCom → AFAS Profit connector (docker-compose.yaml builds it).
# The official Airflow 3.3.2 image, on Python 3.11 (the version requirements.txt is pinned for), plus our
# pinned requirements and the package. Everything is installed at build time: nothing is pip-installed
# when a container starts. dags/, include/ and plugins/ are mounted by docker-compose.yaml.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

# Folders that named volumes are mounted on start out owned by airflow (a new volume copies them).
USER root
RUN mkdir -p /opt/airflow/include /opt/airflow/xcom /opt/airflow/config /opt/lightspeed-afas \
 && chown -R airflow:0 /opt/airflow/include /opt/airflow/xcom /opt/airflow/config /opt/lightspeed-afas
USER airflow

WORKDIR /opt/lightspeed-afas
# requirements.txt pins apache-airflow==3.3.2 (the base image's version) and every transitive package;
# its last line, `-e .`, is the package for development checkouts: the image installs the pinned set
# first (a layer that stays cached while only our code changes), then the package, not editable.
COPY --chown=airflow:0 requirements.txt ./
RUN grep -v '^-e ' requirements.txt > /tmp/requirements-image.txt \
 && pip install --no-cache-dir -r /tmp/requirements-image.txt \
 && rm /tmp/requirements-image.txt
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 src ./src
RUN pip install --no-cache-dir --no-deps . \
 && python -c "import lightspeed_afas, airflow; print('lightspeed_afas on Airflow', airflow.__version__)"
# The API emulators (the compose `emulators` profile runs them from this folder).
COPY --chown=airflow:0 emulators ./emulators

WORKDIR /opt/airflow
