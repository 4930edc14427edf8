"""PDF: page records from PyMuPDF, the document model, its Markdown, and the converters."""
