"""Salesforce REST API extractor (see README.md)."""
