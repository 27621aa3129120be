"""``python -m scanner``: a shim over the CLI entry point."""

from scanner.cli import main

raise SystemExit(main())
