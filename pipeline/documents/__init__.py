"""What a document is made of: the data it shows, its template, its layout, and the DOCX built from them."""
