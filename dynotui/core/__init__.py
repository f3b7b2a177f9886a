"""The core: no textual, no rich, no torch. Importable and testable without a terminal."""
