"""Font mapping for the PDF conversion: fonts.conf (fontconfig) and fontmap (checks). See docs/fonts.md."""
