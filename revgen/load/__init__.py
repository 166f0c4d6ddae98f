"""Loading into the raw schemas: COPY batches, upserts, rejects, run records."""
