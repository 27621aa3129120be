"""Built-in rule packs (YAML), installed as ``scanner.packs`` and read with importlib.resources."""
