"""PostgreSQL: the prompt digests' text stored out of line but not compressed (STORAGE EXTERNAL).

A batch reads every digest of its episodes whole (about 45 KB of lines each); compressed (pglz, the
default for a long text), the server spent more time undoing that than reading them: 200 digests came in
34 ms against 21 uncompressed, and the batch's read of them went from 67 to 39 ms. They take twice the room
(about 45 KB an episode). Nothing to do on other databases (SQLite compresses nothing).

Not atomic: the ALTER holds its lock a moment (it changes only how values written after it are kept); the
rows stored before are then written again as it says, a hundred a transaction, so that a batch or an import
waits at most for one of them, never for the whole table.
"""

from django.db import migrations

COLUMNS = ("text", "data")
ROWS_A_TRANSACTION = 100


def _storage(apps, schema_editor, storage: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    meta = apps.get_model("episodes", "PromptDigest")._meta
    table, key = quote(meta.db_table), quote(meta.pk.column)
    # Only quoted names and a keyword of this module go into the SQL.
    alter = ", ".join(f"ALTER COLUMN {quote(column)} SET STORAGE {storage}" for column in COLUMNS)
    schema_editor.execute(f"ALTER TABLE {table} {alter}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM {table} ORDER BY {key}")  # noqa: S608
        keys = [row[0] for row in cursor.fetchall()]
    # A value concatenated with nothing is a new one, kept as the column's storage now says.
    rewrite = ", ".join(f"{quote(column)} = {quote(column)} || ''" for column in COLUMNS)
    for start in range(0, len(keys), ROWS_A_TRANSACTION):
        schema_editor.execute(
            f"UPDATE {table} SET {rewrite} WHERE {key} = ANY(%s)",  # noqa: S608
            [keys[start : start + ROWS_A_TRANSACTION]],
        )


def uncompressed(apps, schema_editor):
    _storage(apps, schema_editor, "EXTERNAL")


def compressed(apps, schema_editor):
    _storage(apps, schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("episodes", "0027_catalogue_stamp"),
    ]

    operations = [
        migrations.RunPython(uncompressed, compressed, elidable=False),
    ]
