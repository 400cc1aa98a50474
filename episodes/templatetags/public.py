"""Template filters of the public pages that name things by the same rules as the pages' own code."""

from django import template

from ..format.episode_keys import public_title

register = template.Library()

register.filter("public_title", public_title)
