"""Source systems: each package extracts one system's data in the raw contract's shape."""
