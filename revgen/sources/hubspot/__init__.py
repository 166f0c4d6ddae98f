"""HubSpot CRM API v3 extractor (see README.md)."""
