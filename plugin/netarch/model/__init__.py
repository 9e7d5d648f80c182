"""The model: YAML loading with positions, schema validation and id/reference checks."""
