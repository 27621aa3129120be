"""Documents to resources: one adapter per input format."""
