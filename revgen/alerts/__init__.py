"""Alerts on orphaned leads."""
