"""Decision logic with no Prefect and no HTTP: leads, lifecycle, (later) attribution, budgets."""
