"""read_activity: FIT, GPX and TCX files as numbers."""
