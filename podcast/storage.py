"""Static files as served in production: compressed, with hashed names, JavaScript module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # The editor's script is a few plain ES modules that import each other: their imports must point at
    # the hashed names too, or a browser would keep an old module after a deploy.
    support_js_module_import_aggregation = True
