"""Notifications: in-app messages and an outbox that SMS / e-mail adapters deliver from."""
