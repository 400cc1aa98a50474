"""The public pages, feeds, search and their query plans through the test client."""
