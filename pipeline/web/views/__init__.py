"""The workbench's views: one small class or function per page and action."""
