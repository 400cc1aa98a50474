"""Documents and where they live: a parsed file ↔ database rows (``database``), files written out
(``exporting``) and the site's git repository (``git``). Imports only the format layer and the models."""
