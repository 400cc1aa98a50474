"""The format layer alone: files, times, chapters, rules, changes and merges, markup; no database."""
