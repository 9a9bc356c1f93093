"""Alerting: rules evaluated in SQL, their history in ``alert_events``, and notifications."""
