"""Scaleboard on Airflow: every job is the `scaleboard` command, so Airflow only schedules and retries.

Copy this file into your DAG folder and set, on the Airflow workers:
* SCALEBOARD_HOME: the Scaleboard checkout (with its .venv), e.g. /opt/scaleboard
* SCALEBOARD_LAKEHOUSE: the lakehouse root
* an Airflow connection `scaleboard_smtp` (host, port, login, password; extra {"starttls": true})
  for the digest's e-mail, and the Variables `scaleboard_digest_to` (space-separated addresses)
  and `scaleboard_digest_owner` (who hears about a failed render).

Two DAGs: `scaleboard_refresh` every 15 minutes (rollups and alerts, then the quality checks) and
`scaleboard_weekly_digest` on Mondays at 07:00 UTC (a refresh, then the digest with the PDF and
XLSX attached). A task fails when its command exits non-zero: `check` exits 1 on a failed check,
`digest` exits 1 when the digest went out without its attachments (the e-mail says why) and 2 when
nothing could be sent.
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
CLI = f"cd {HOME} && .venv/bin/scaleboard"
DEFAULTS = {"retries": 2, "retry_delay": timedelta(minutes=5)}
SMTP_ENV = {  # templated at run time from the Airflow connection: no secret in this file
    "SCALEBOARD_SMTP_HOST": "{{ conn.scaleboard_smtp.host }}",
    "SCALEBOARD_SMTP_PORT": "{{ conn.scaleboard_smtp.port or 587 }}",
    "SCALEBOARD_SMTP_USER": "{{ conn.scaleboard_smtp.login or '' }}",
    "SCALEBOARD_SMTP_PASSWORD": "{{ conn.scaleboard_smtp.password or '' }}",
    "SCALEBOARD_SMTP_STARTTLS": "{{ conn.scaleboard_smtp.extra_dejson.get('starttls', true) }}",
}

with DAG("scaleboard_refresh", schedule="*/15 * * * *", start_date=datetime(2026, 1, 1), catchup=False,
         max_active_runs=1, default_args=DEFAULTS, tags=["scaleboard"]) as refresh_dag:
    refresh = BashOperator(task_id="refresh", bash_command=f"{CLI} refresh", append_env=True)
    check = BashOperator(task_id="check", bash_command=f"{CLI} check --quiet", append_env=True)
    refresh >> check

with DAG("scaleboard_weekly_digest", schedule="0 7 * * 1", start_date=datetime(2026, 1, 1), catchup=False,
         max_active_runs=1, default_args=DEFAULTS, tags=["scaleboard"]) as digest_dag:
    fresh = BashOperator(task_id="refresh", bash_command=f"{CLI} refresh", append_env=True)
    digest = BashOperator(
        task_id="digest", append_env=True, env=SMTP_ENV, retries=0,  # a retry would send the e-mail twice
        bash_command=(f"{CLI} digest --to {{{{ var.value.scaleboard_digest_to }}}} "
                      "--owner {{ var.value.scaleboard_digest_owner }} --as-of {{ data_interval_end }}"))
    fresh >> digest
