"""Files source: CSV or JSONL exports (optionally gzip) dropped in a landing folder per source."""
