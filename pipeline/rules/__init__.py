"""Pure functions that decide which documents a run calls for. They import only the model."""
