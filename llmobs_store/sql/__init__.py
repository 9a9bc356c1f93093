"""Read-only ad-hoc SQL: the allow-list guard and the runner every front end uses."""
