"""Pure detectors for secrets and PHI in deployment text, plus the redaction safety net.

Why a separate package: rules decide *where* to look (an env value, a compose file, a
notebook cell); these modules only decide *whether a string holds a secret or an identifier*.
Keeping them free of I/O and of the rule engine lets them be tested exhaustively and reused
by every formatter through :func:`scanner.detectors.redact.redact`.

- :mod:`scanner.detectors.secrets`: provider key formats (domain.md §6.2, AI-SEC-001), PEM
  private keys, connection-string passwords, secret-named assignments, vendor defaults.
- :mod:`scanner.detectors.phi`: Safe Harbor identifiers (domain.md §2) that a pattern can find
  precisely.
- :mod:`scanner.detectors.redact`: masking, so no finding message ever repeats a secret.
"""
