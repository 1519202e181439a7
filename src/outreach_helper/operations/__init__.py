"""Running it: logs, the access log, metrics, health and the server's options."""
