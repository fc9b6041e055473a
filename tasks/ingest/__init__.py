"""Ingestion: partner files in, filtered to the partnership, validated and stored with provenance."""
