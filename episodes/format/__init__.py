"""The floor every other layer stands on: pure functions and types, no database and no requests.

The episode file format (``frontmatter``, ``linewise``, ``layout``), raw transcripts and archives, chapters,
clips and times, the editorial rules and their fixes, the field merge and change lists, safe markup, the
language model's prompts. Nothing here imports the models, the documents layer or anything above them.
"""
