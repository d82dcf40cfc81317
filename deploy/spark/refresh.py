"""`scaleboard refresh --engine spark` for spark-submit, which then chooses the master, executors and
memory. From the Scaleboard checkout (the driver runs Scaleboard's Python; executors only read Parquet
and run Spark SQL, so they need Spark and the lakehouse path, not Scaleboard)::

    PYSPARK_PYTHON=.venv/bin/python .venv/bin/spark-submit --master spark://host:7077 \\
        deploy/spark/refresh.py --lakehouse /lake [--full] [--only NAME ...]
"""

from __future__ import annotations

import sys

from analytics.cli import main

if __name__ == "__main__":
    sys.exit(main(["refresh", "--engine", "spark", *sys.argv[1:]]))
