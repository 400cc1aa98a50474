"""The site's git repository: pull, push, drafts, history, images, a push killed mid-way."""
