"""Regenerate the malformed-upload corpus: `python tests/corpus/make_corpus.py`.

Each file is rejected by `scaleboard ingest` with a specific message; ``EXPECTED`` (table, message
fragment) is the contract, used by tests/test_ingest.py. The base lakehouse those tests ingest into
holds models m1 (classification) and m2 (regression) and one prediction r0 in 2026-03.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
H = "prediction_at,model_id,request_id,score,latency_ms\n"
OK = "2026-03-02T10:00:00Z,m1,r1,0.5,12\n"

EXPECTED: dict[str, tuple[str, str]] = {
    "missing_required_column.csv": ("predictions", "'request_id': required column is missing"),
    "unknown_column.csv": ("predictions", "did you mean 'model_id'?"),
    "naive_timestamp.csv": ("predictions", "row 2, column 'prediction_at': timestamp has no time zone"),
    "bad_timestamp.csv": ("predictions", "row 1, column 'prediction_at': not a timestamp"),
    "bad_number.csv": ("predictions", "row 2, column 'score': not a finite number"),
    "nan_score.csv": ("predictions", "row 1, column 'score': not a finite number"),
    "score_out_of_range.csv": ("predictions", "must be between 0 and 1 for a classification model"),
    "negative_latency.csv": ("predictions", "column 'latency_ms': must be at least 0"),
    "unknown_model.csv": ("predictions", "column 'model_id': this model is not in the models table"),
    "duplicate_key.csv": ("predictions", "row 2, column 'request_id': duplicate key within the upload"),
    "existing_key.csv": ("predictions", "column 'request_id': this key already exists in the lakehouse"),
    "null_required.csv": ("predictions", "row 2, column 'model_id': required value is empty"),
    "ragged_row.csv": ("predictions", "row 2: has 6 fields, the header has 5"),
    "duplicate_header.csv": ("predictions", "column 'score': the column appears more than once"),
    "header_only.csv": ("predictions", "the file has no data rows"),
    "empty.csv": ("predictions", "the file is empty"),
    "latin1.csv": ("predictions", "not UTF-8 text: invalid byte at line 2"),
    "binary.csv": ("predictions", "binary file"),
    "unclosed_quote.csv": ("predictions", "malformed CSV"),
    "wrong_extension.txt": ("predictions", "unsupported file type"),
    "truncated.parquet": ("predictions", "not a valid Parquet file"),
    "not_parquet.parquet": ("predictions", "not a valid Parquet file"),
    "naive_timestamp.parquet": ("predictions", "holds naive timestamps"),
    "wrong_type.parquet": ("predictions", "expected a timezone-aware timestamp"),
    "bad_enum_models.csv": ("models", "column 'stage': must be one of pilot, production, retired"),
    "bad_rating_feedback.csv": ("feedback", "column 'rating': must be between 1 and 5"),
    "int_overflow_feedback.csv": ("feedback", "whole number out of the 32-bit range"),
    "fractional_rating_feedback.csv": ("feedback", "column 'rating': not a whole number"),
    "bad_date_ledger.csv": ("value_ledger", "column 'month': not a date"),
    "bad_bool_datasets.csv": ("datasets", "column 'is_pii': not a boolean"),
}


def _pq(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def main() -> None:
    t = lambda *c: H + "".join(c)  # noqa: E731
    text = {
        "missing_required_column.csv": "prediction_at,model_id,score\n2026-03-02T10:00:00Z,m1,0.5\n",
        "unknown_column.csv": H.replace("model_id", "modelid") + OK,
        "naive_timestamp.csv": t(OK, "2026-03-02 11:00:00,m1,r2,0.5,12\n"),
        "bad_timestamp.csv": t("yesterday,m1,r1,0.5,12\n"),
        "bad_number.csv": t(OK, "2026-03-02T10:00:00Z,m1,r2,high,12\n"),
        "nan_score.csv": t("2026-03-02T10:00:00Z,m1,r1,nan,12\n"),
        "score_out_of_range.csv": t(OK, "2026-03-02T10:00:00Z,m2,r2,7.5,12\n", "2026-03-02T10:00:00Z,m1,r3,1.5,12\n"),
        "negative_latency.csv": t("2026-03-02T10:00:00Z,m1,r1,0.5,-3\n"),
        "unknown_model.csv": t(OK, "2026-03-02T10:00:00Z,m404,r2,0.5,12\n"),
        "duplicate_key.csv": t(OK, "2026-03-02T11:00:00Z,m1,r1,0.4,12\n"),
        "existing_key.csv": t("2026-03-05T10:00:00+01:00,m1,r0,0.5,12\n"),
        "null_required.csv": t(OK, "2026-03-02T10:00:00Z,,r2,0.5,12\n"),
        "ragged_row.csv": t(OK, "2026-03-02T10:00:00Z,m1,r2,0.5,12,extra\n"),
        "duplicate_header.csv": "prediction_at,model_id,request_id,score,score\n2026-03-02T10:00:00Z,m1,r1,0.5,0.5\n",
        "header_only.csv": H,
        "empty.csv": "",
        "unclosed_quote.csv": t('2026-03-02T10:00:00Z,m1,"r1,0.5,12\n'),
        "wrong_extension.txt": t(OK),
        "not_parquet.parquet": t(OK),
        "bad_enum_models.csv": "model_id,name,business_unit,stage,task\nm7,X,Retail,live,classification\n",
        "bad_rating_feedback.csv": "submitted_at,model_id,rating\n2026-03-02T10:00:00Z,m1,4\n2026-03-02T10:00:00Z,m1,7\n",
        "int_overflow_feedback.csv": "submitted_at,model_id,rating\n2026-03-02T10:00:00Z,m1,99999999999\n",
        "fractional_rating_feedback.csv": "submitted_at,model_id,rating\n2026-03-02T10:00:00Z,m1,4.5\n",
        "bad_date_ledger.csv": ("month,model_id,category,amount_usd,attribution,entered_at\n"
                                "2026-13-01,m1,cost_savings,100,measured,2026-03-02T10:00:00Z\n"),
        "bad_bool_datasets.csv": "dataset_id,name,is_pii\nd1,Customers,maybe\n",
    }
    for name, body in text.items():
        (HERE / name).write_text(body, encoding="utf-8")
    (HERE / "latin1.csv").write_bytes((H + "2026-03-02T10:00:00Z,m1,r\xe9sum\xe9,0.5,12\n").encode("latin-1"))
    (HERE / "binary.csv").write_bytes(b"PK\x03\x04\x00\x00\x00\x00" + bytes(range(256)))
    ts = datetime(2026, 3, 2, 10, tzinfo=UTC)
    good = pa.table({"prediction_at": pa.array([ts] * 200, pa.timestamp("us", tz="UTC")),
                     "model_id": ["m1"] * 200, "request_id": [f"p{i}" for i in range(200)],
                     "score": [0.5] * 200})
    raw = _pq(good)
    (HERE / "truncated.parquet").write_bytes(raw[: len(raw) // 2])
    naive = good.set_column(0, "prediction_at", pa.array([ts.replace(tzinfo=None)] * 200, pa.timestamp("us")))
    (HERE / "naive_timestamp.parquet").write_bytes(_pq(naive))
    wrong = good.set_column(0, "prediction_at", pa.array([1_772_445_600] * 200, pa.int64()))
    (HERE / "wrong_type.parquet").write_bytes(_pq(wrong))


if __name__ == "__main__":
    main()
