"""PostgreSQL: the prompt digests' text stored out of line but not compressed (STORAGE EXTERNAL).

A batch reads every digest of its episodes whole (about 45 KB of lines each); compressed (pglz, the
default for a long text), the server spent more time undoing that than reading them: 200 digests came in
34 ms against 21 uncompressed, and the batch's read of them went from 67 to 39 ms. They take twice the room
(about 45 KB an episode). Rows stored before are rewritten, so that a database migrated gets the same.
Nothing to do on other databases (SQLite compresses nothing).
"""

from django.db import migrations

COLUMNS = ("text", "data")


def _storage(apps, schema_editor, storage: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    table = quote(apps.get_model("episodes", "PromptDigest")._meta.db_table)
    # Only quoted names and a keyword of this module go into the SQL.
    alter = ", ".join(f"ALTER COLUMN {quote(column)} SET STORAGE {storage}" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE {table} {alter}")
    # SET STORAGE applies to values written after it: each value is written again, as its new storage says.
    rewrite = ", ".join(f"{quote(column)} = {quote(column)} || ''" for column in COLUMNS)
    schema_editor.execute(f"UPDATE {table} SET {rewrite}")  # noqa: S608


def uncompressed(apps, schema_editor):
    _storage(apps, schema_editor, "EXTERNAL")


def compressed(apps, schema_editor):
    _storage(apps, schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [
        ("episodes", "0027_catalogue_stamp"),
    ]

    operations = [
        migrations.RunPython(uncompressed, compressed, elidable=False),
    ]
