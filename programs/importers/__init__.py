"""Importers that turn shared data (Jグランツ records, the consultation desk list) into catalog files.

Each importer maps a source record to a ``Program``, validates it with the catalog's own model and
writes one deterministic YAML file per program; ``catalog validate`` loads them like any other file.
"""

from programs.importers.common import dump_program_yaml, write_if_changed

__all__ = ["dump_program_yaml", "write_if_changed"]
