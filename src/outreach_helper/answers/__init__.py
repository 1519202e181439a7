"""Answers: what each dashboard says, put together across dashboards."""
