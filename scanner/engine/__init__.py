"""Rule packs: loading and validation, the condition language, compilation and evaluation."""
