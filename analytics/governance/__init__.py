"""The governance wing: catalog, lineage, regulation, fairness, the audit log and users."""
