"""Column-mapping presets shipped with kambot (YAML files, loaded by name)."""
