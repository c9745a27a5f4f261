"""Outgoing e-mail: an outbox written in the causing transaction, delivered over SMTP by the jobs runner."""
