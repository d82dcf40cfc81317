"""The lakehouse wing: contract (schema), files and atomic writes (storage), DuckDB views
(views), the connection (connection), ingestion (ingest), rollup declarations (rollups) and
their refresh (refresh)."""
