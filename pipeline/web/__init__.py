"""The workbench: `make-notices serve`, a local web page that calls the same library as the CLI.

app.py wires routes and middleware to the small view classes in views/; templates/ holds the
server-rendered pages, static/ the vendored htmx. Nothing in the pipeline imports this package.
"""
