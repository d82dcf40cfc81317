"""The drift wing: statistics (stats), the engine (compare), profiles on frozen bins (profiles),
the explorer's windows (monitor), performance (performance), alert policy (alerts) and
Evidently's report (report)."""
