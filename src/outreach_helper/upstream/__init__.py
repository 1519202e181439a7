"""Talking to a dashboard: documents, the contract, the client and its manners."""
