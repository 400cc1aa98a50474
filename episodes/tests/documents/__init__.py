"""Documents and rows: the mapping both ways, the corpus round trip, the importer's fuzz."""
