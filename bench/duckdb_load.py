"""Loads a canonical crmq data folder into DuckDB with the types crmq reads (shared by the
benchmark and the cross-check, so both ask DuckDB about the same tables)."""

TYPES = {
    "deals": {"amount": "DECIMAL(18,2)", "created_at": "TIMESTAMP", "closed_at": "TIMESTAMP"},
    "stages": {"stage_order": "BIGINT"},
    "stage_history": {"entered_at": "TIMESTAMP"},
    "calls": {"started_at": "TIMESTAMP"},
    "spend": {"cost": "DECIMAL(18,2)", "date": "DATE"},
    "plans": {"target_amount": "DECIMAL(18,2)", "period": "VARCHAR"},
}


def load(con, folder):
    for table, types in TYPES.items():
        spec = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{folder}/{table}.csv', header=true, types={{{spec}}})")
    # plans.period is a month (YYYY-MM); crmq stores it as the month's first day.
    con.execute(
        "CREATE OR REPLACE TABLE plans AS SELECT strptime(period, '%Y-%m')::DATE AS period, manager, target_amount, target_count FROM plans"
    )
    return con
