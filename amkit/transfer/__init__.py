"""Import and export of tables (SPEC §3.5): readers, table specs, importer, exporter."""
