"""The product wing: scope and windows (scope), the KPI registry (kpis), ROI, adoption, the
overview, experiments (statistics in experiment_stats, I/O in experiments) and the portfolio lists."""
