"""Activation: playbooks and the action queue, exports, destinations (webhooks, PostgreSQL), privacy."""
