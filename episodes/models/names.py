"""File names that can name an episode or a person: the rule, its messages and the field validator."""

from django.core.exceptions import ValidationError

# A file name without its '.md', as any git repository (and so Jekyll) can hold it: no '/' and no NUL.
# '.' and '..' cannot be page addresses (browsers resolve them away), so they are refused.
SLUG_PATTERN = r"[^/\x00]+"
SLUG_MAX_LENGTH = 255
ERR_NAME_EMPTY = "the file name is empty"
ERR_NAME_SLASH = "the file name cannot contain '/' or a NUL character"
ERR_NAME_DOTS = "'.' and '..' cannot be file names"
ERR_NAME_LONG = "the file name is longer than {limit} characters"
ERR_NAME_NOT_TEXT = "the file name is not valid UTF-8"


def name_problem(name: str) -> str | None:
    """Return why ``name`` (a file name without '.md') cannot name an episode or person, or None."""
    if not name:
        return ERR_NAME_EMPTY
    if "/" in name or "\x00" in name:
        return ERR_NAME_SLASH
    if name in (".", ".."):
        return ERR_NAME_DOTS
    if len(name) > SLUG_MAX_LENGTH:
        return ERR_NAME_LONG.format(limit=SLUG_MAX_LENGTH)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode keeps undecodable bytes as lone surrogates
        return ERR_NAME_NOT_TEXT
    return None


def slug_validator(value: str) -> None:
    problem = name_problem(value)
    if problem:
        raise ValidationError(problem[:1].upper() + problem[1:] + ".", code="invalid")
