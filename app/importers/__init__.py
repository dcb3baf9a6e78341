"""Course and practice files read into documents: formats, columns, cell values and the line-numbered report."""
