"""wardscan: PHI and security risk scanner for AI deployments.

Only the version lives here, so that ``wardscan --version`` imports nothing else.
"""

__version__ = "0.1.0"
