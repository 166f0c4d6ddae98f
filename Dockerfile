# revgen on the official Airflow image: the package installed (editable) at /opt/revgen, so the
# mounted dags/, dbt_project/ and expectations/ are the ones it runs.
FROM apache/airflow:3.3.2-python3.11
USER root
COPY --chown=airflow:0 . /opt/revgen
USER airflow
RUN pip install --no-cache-dir -e /opt/revgen
WORKDIR /opt/revgen
