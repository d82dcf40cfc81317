"""Reports that leave the app: the overview and a model's health page as PDF, tables as XLSX and
CSV, and the weekly digest. Computation and layout only; the app and the CLI call in."""
