"""Load the bundled demo episode and make sure an editor can log in.

    python manage.py setup_demo [--username editor]

Imports episodes/demo (the seed episode s10e03-mlops-architect and two small profiles) through the same
import service as import_episodes, marks what it created as demo data (never published to the site by
sync_site push or the Publish page), marks the demo host, and creates an editor account in the "Editors"
group if no editor exists yet. The generated password is kept in .demo-login (not committed) and printed.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from episodes.models import Episode, Person
from episodes.results import CREATED
from episodes.services import importing

DEMO = Path(__file__).resolve().parents[2] / "demo"
HOST_KEY = "alexeygrigorev"


class Command(BaseCommand):
    help = "Import the demo episode and create an editor login if none exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, verbosity, **options):
        sources = [*importing.path_sources([DEMO / "_people"], people=True), *importing.path_sources([DEMO])]
        # Real data (pulled from the site, or made by editors) is never overwritten by the demo's.
        real_people = set(Person.objects.with_profile().filter(demo=False).values_list("key", flat=True))
        real_episodes = set(Episode.objects.filter(demo=False).values_list("slug", flat=True))
        sources = [
            source
            for source in sources
            if source.filename.removesuffix(".md") not in (real_people if source.is_person else real_episodes)
        ]
        report = importing.import_sources(sources)
        if report.refused:
            raise CommandError("\n".join(str(r) for r in report.refused))
        created = [r for r in report.files if r.status == CREATED]
        Episode.objects.filter(slug__in=[r.key for r in created if not r.is_person]).update(demo=True)
        Person.objects.filter(key__in=[r.key for r in created if r.is_person]).update(demo=True)
        Person.objects.filter(key=HOST_KEY).update(is_host=True)
        self.stdout.write(f"Demo data: {report.summary()}")
        self.stdout.write(self.style.SUCCESS(self.ensure_editor(username)))

    def ensure_editor(self, username: str) -> str:
        User = get_user_model()
        group = Group.objects.get(name="Editors")
        login_file = Path(settings.BASE_DIR) / ".demo-login"
        editors = User.objects.filter(groups=group, is_active=True)
        if editors.exists():
            known = login_file.read_text().strip() if login_file.exists() else ""
            if known:
                return f"Editor login: {known}"
            names = ", ".join(editors.values_list("username", flat=True))
            return f"Editor accounts exist ({names}); set a password with: python manage.py changepassword NAME"
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        user.groups.add(group)
        login_file.write_text(f"{username} / {password}\n")
        return f"Editor login: {username} / {password}"
