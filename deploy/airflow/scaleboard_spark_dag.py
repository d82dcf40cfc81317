"""Scaleboard's refresh with the rollups on Spark, for a lakehouse too large for one machine's DuckDB.

Copy this file into your DAG folder beside scaleboard_dag.py, and run one of the two refresh DAGs
(both share one rollup state, so switching is safe: neither re-reads what the other rolled up). Set,
on the Airflow workers: SCALEBOARD_HOME (the checkout with its .venv), SCALEBOARD_LAKEHOUSE (the
lakehouse root, at the same path on the Spark executors), and the Variable `scaleboard_spark_master`
(a master URL: spark://host:7077, yarn, k8s://...; default local[*]).

`scaleboard_refresh_spark`, every 15 minutes: spark-submit runs `scaleboard refresh --engine spark`
(deploy/spark/refresh.py: rollups on the cluster, then drift alerts, experiment value and delivery in
the driver), then the quality checks. A task fails when its command exits non-zero.
(With the apache-spark provider, SparkSubmitOperator(application="deploy/spark/refresh.py") does the
same as the `refresh` task.)
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator

HOME = os.environ.get("SCALEBOARD_HOME", "/opt/scaleboard")
MASTER = "{{ var.value.get('scaleboard_spark_master', 'local[*]') }}"
SUBMIT = (f"cd {HOME} && PYSPARK_PYTHON=.venv/bin/python .venv/bin/spark-submit --master '{MASTER}' "
          "deploy/spark/refresh.py")
DEFAULTS = {"retries": 2, "retry_delay": timedelta(minutes=5)}

with DAG("scaleboard_refresh_spark", schedule="*/15 * * * *", start_date=datetime(2026, 1, 1), catchup=False,
         max_active_runs=1, default_args=DEFAULTS, tags=["scaleboard", "spark"]) as spark_refresh_dag:
    refresh = BashOperator(task_id="refresh", bash_command=SUBMIT, append_env=True)
    check = BashOperator(task_id="check", bash_command=f"cd {HOME} && .venv/bin/scaleboard check --quiet",
                         append_env=True)
    refresh >> check
