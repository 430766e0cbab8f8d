"""From DOCX to what the office prints: LibreOffice conversion, the print bundle, sheets, manifest, lint."""
