"""A save or an operation made from an older version of the editor's page merges three ways into the episode as
saved now (services.merging): what two editors changed apart is saved, the same thing changed differently is a
conflict, a save landing during the merge makes it merge once more."""

import pytest
from django.contrib.auth import get_user_model

from episodes import services
from episodes.format import frontmatter as fm
from episodes.models import BodyLink, Episode, PlatformRef, Revision
from episodes.services import merging

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague():
    return get_user_model().objects.create_user("colleague")


def turn(episode, position):
    return episode.items.get(position=position)


def save_text(episode, position, text, **kwargs):
    item = turn(episode, position)
    return services.episode_save(episode=episode, edits={item.pk: services.ItemEdit(text=text)}, **kwargs)


def test_different_turns_both_land_and_the_save_says_whose_it_merged_with(seed_episode, colleague, monkeypatch):
    # Both versions' revisions are there: only the items that differ are read from them, not the rows.
    monkeypatch.setattr(merging, "_theirs", None)
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    saved = save_text(seed_episode, 10, "My words.", version=seen)
    assert saved.changed and saved.version == seen + 2
    assert "merged with colleague's save of" in saved.merged and "(turn 5)" in saved.merged
    assert turn(seed_episode, 4).text == "Their words." and turn(seed_episode, 10).text == "My words."
    assert Revision.objects.filter(episode=seed_episode).count() == 3


def test_the_same_turn_changed_differently_is_a_conflict_on_that_turn_and_nothing_is_saved(seed_episode, colleague):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    item = turn(seed_episode, 4)
    with pytest.raises(services.MergeConflict) as refused:
        save_text(seed_episode, 4, "My words.", version=seen)
    (clash,) = refused.value.clashes
    assert (clash.item, clash.part, clash.mine, clash.theirs) == (item.pk, "text", "My words.", "Their words.")
    assert clash.where == "turn 5 (text)" and "colleague changed the same thing" in str(refused.value)
    assert turn(seed_episode, 4).text == "Their words." and seed_episode.version == seen + 1


def test_the_same_turn_changed_the_same_way_saves_once(seed_episode, colleague):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Both typed this.", user=colleague)
    saved = save_text(seed_episode, 4, "Both typed this.", version=seen)
    assert not saved.changed and turn(seed_episode, 4).text == "Both typed this."


def test_one_turn_text_and_speaker_changed_apart_merge_field_by_field(seed_episode, colleague):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    item = turn(seed_episode, 4)
    services.episode_save(episode=seed_episode, edits={item.pk: services.ItemEdit(who="Somebody")}, version=seen)
    item.refresh_from_db()
    assert (item.text, item.who) == ("Their words.", "Somebody")


def test_fields_merge_apart_and_clash_when_both_changed_one(seed_episode, colleague):
    seen = seed_episode.version
    services.episode_save(episode=seed_episode, fields={"title": "Their title"}, user=colleague, version=seen)
    saved = services.episode_save(episode=seed_episode, fields={"short": "My short"}, version=seen)
    assert "(title)" in saved.merged
    episode = Episode.objects.get(pk=seed_episode.pk)
    assert (episode.title, episode.short) == ("Their title", "My short")
    with pytest.raises(services.MergeConflict) as refused:
        services.episode_save(episode=seed_episode, fields={"title": "My title"}, version=seen)
    assert [(c.key, c.mine, c.theirs) for c in refused.value.clashes] == [("title", "My title", "Their title")]


def test_other_keys_merge_key_by_key(seed_episode, colleague):
    seen = seed_episode.version
    services.episode_save(episode=seed_episode, extra={"description": "Theirs."}, user=colleague, version=seen)
    services.episode_save(episode=seed_episode, extra={"intro": "Mine."}, version=seen)
    extra = Episode.objects.get(pk=seed_episode.pk).extra
    assert "Theirs." in extra and "Mine." in extra


def refs(episode):
    return [services.Row(ref) for ref in PlatformRef.objects.filter(episode=episode).order_by("mapping", "position")]


def test_platform_rows_merge_row_by_row_and_clash_on_the_same_row(seed_episode, colleague):
    seen = seed_episode.version
    theirs = [*refs(seed_episode), services.Row(PlatformRef(mapping="ids", platform="spotify", value="abc"))]
    services.episode_save(episode=seed_episode, lists={PlatformRef: theirs}, user=colleague, version=seen)
    mine = refs(seed_episode)[:-1]  # the page did not show their row
    youtube = next(row for row in mine if row.obj.platform == "youtube" and row.obj.mapping == "ids")
    youtube.obj.value = "newvideo123"
    services.episode_save(episode=seed_episode, lists={PlatformRef: mine}, version=seen)
    now = {(r.mapping, r.platform): r.value for r in PlatformRef.objects.filter(episode=seed_episode)}
    assert now[("ids", "spotify")] == "abc" and now[("ids", "youtube")] == "newvideo123"
    seen = Episode.objects.get(pk=seed_episode.pk).version
    other = refs(seed_episode)
    next(r for r in other if r.obj.platform == "spotify").obj.value = "theirs"
    services.episode_save(episode=seed_episode, lists={PlatformRef: other}, user=colleague, version=seen)
    mine = refs(seed_episode)
    next(r for r in mine if r.obj.platform == "spotify").obj.value = "mine"
    with pytest.raises(services.MergeConflict) as refused:
        services.episode_save(episode=seed_episode, lists={PlatformRef: mine}, version=seen)
    assert [(c.where, c.mine, c.theirs) for c in refused.value.clashes] == [("ids.spotify", "mine", "theirs")]


def test_body_links_merge_row_by_row(seed_episode, colleague):
    seen = seed_episode.version
    links = [services.Row(link) for link in BodyLink.objects.filter(episode=seed_episode).order_by("position")]
    added = BodyLink(text="Their link", url="https://example.com/theirs")
    services.episode_save(episode=seed_episode, lists={BodyLink: [*links, services.Row(added)]}, user=colleague)
    mine = [services.Row(link) for link in BodyLink.objects.filter(episode=seed_episode).exclude(pk=added.pk)]
    mine[0].obj.text = "My first link"
    services.episode_save(episode=seed_episode, lists={BodyLink: mine}, version=seen)
    texts = list(BodyLink.objects.filter(episode=seed_episode).order_by("position").values_list("text", flat=True))
    assert texts[0] == "My first link" and texts[-1] == "Their link" and len(texts) == len(links) + 1


def test_a_turn_edited_here_and_deleted_there_is_a_conflict(seed_episode, colleague):
    seen = seed_episode.version
    item = turn(seed_episode, 4)
    services.items_delete(episode=seed_episode, positions=[4], user=colleague)
    with pytest.raises(services.MergeConflict) as refused:
        services.episode_save(episode=seed_episode, edits={item.pk: services.ItemEdit(text="Mine.")}, version=seen)
    (clash,) = refused.value.clashes
    assert clash.item is None and clash.mine == "Mine." and "deleted" in clash.where


def test_turns_inserted_there_move_my_edit_to_its_turn(seed_episode, colleague):
    seen = seed_episode.version
    item = turn(seed_episode, 10)
    services.turn_insert(episode=seed_episode, position=2, who="Alexey", text="Inserted.", user=colleague)
    saved = services.episode_save(episode=seed_episode, edits={item.pk: services.ItemEdit(text="Mine.")}, version=seen)
    assert "turn 3" in saved.merged
    assert turn(seed_episode, 11).text == "Mine." and turn(seed_episode, 2).text == "Inserted."


def test_operations_from_a_stale_page_insert_on_both_sides(seed_episode, colleague):
    seen = seed_episode.version
    services.turn_insert(episode=seed_episode, position=2, who="Alexey", text="Theirs.", user=colleague)

    def insert(move, version):
        return services.turn_insert(episode=seed_episode, position=move(20), text="Mine.", version=version)

    _, words = services.operation_merge(episode=seed_episode, seen_version=seen, run=insert)
    assert "colleague" in words
    assert turn(seed_episode, 2).text == "Theirs." and turn(seed_episode, 21).text == "Mine."


def test_operations_inserting_at_the_same_place_differently_conflict(seed_episode, colleague):
    seen = seed_episode.version
    services.turn_insert(episode=seed_episode, position=5, who="Alexey", text="Theirs.", user=colleague)
    count = seed_episode.items.count()

    def insert(move, version):
        return services.turn_insert(episode=seed_episode, position=move(5), text="Mine.", version=version)

    with pytest.raises(services.MergeConflict) as refused:
        services.operation_merge(episode=seed_episode, seen_version=seen, run=insert)
    assert "colleague changed" in str(refused.value) and "nothing was changed" in str(refused.value)
    assert seed_episode.items.count() == count


def test_an_operation_on_what_changed_since_is_refused_naming_who(seed_episode, colleague):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    version = Episode.objects.get(pk=seed_episode.pk).version

    def assign(move, version):
        return services.turns_assign(episode=seed_episode, positions=[move(4)], who="Someone", version=version)

    before = turn(seed_episode, 4).who
    services.operation_merge(episode=seed_episode, seen_version=seen, run=assign)  # another field: merged
    assert turn(seed_episode, 4).who == "Someone"
    services.turns_assign(episode=seed_episode, positions=[6], who="Their pick", user=colleague)

    def assign_six(move, version):
        return services.turns_assign(episode=seed_episode, positions=[move(6)], who="My pick", version=version)

    with pytest.raises(services.MergeConflict) as refused:
        services.operation_merge(episode=seed_episode, seen_version=version, run=assign_six)
    assert "colleague changed item 7 (speaker)" in str(refused.value)
    assert turn(seed_episode, 6).who == "Their pick" and before != "Someone"


def test_an_operation_on_an_item_deleted_since_is_refused(seed_episode, colleague):
    seen = seed_episode.version
    services.items_delete(episode=seed_episode, positions=[4], user=colleague)

    def assign(move, version):
        return services.turns_assign(episode=seed_episode, positions=[move(4)], who="X", version=version)

    with pytest.raises(services.MergeConflict, match="colleague deleted item 5"):
        services.operation_merge(episode=seed_episode, seen_version=seen, run=assign)


def test_a_save_landing_during_the_merge_is_merged_too_once_then_reported(seed_episode, colleague, monkeypatch):
    seen = seed_episode.version
    save_text(seed_episode, 4, "First other save.", user=colleague)
    plan, landed = merging.save_plan, []

    def third_save_lands(**kwargs):
        result = plan(**kwargs)
        if len(landed) < 1:
            landed.append(1)
            save_text(seed_episode, 6, "Landed meanwhile.", user=colleague)
        return result

    monkeypatch.setattr("episodes.services.episode.save_plan", third_save_lands)
    save_text(seed_episode, 10, "Mine.", version=seen)
    assert [turn(seed_episode, p).text for p in (4, 6, 10)] == ["First other save.", "Landed meanwhile.", "Mine."]

    def always_lands(**kwargs):
        result = plan(**kwargs)
        save_text(seed_episode, 6, f"Again {len(landed)}.", user=colleague)
        landed.append(1)
        return result

    monkeypatch.setattr("episodes.services.episode.save_plan", always_lands)
    with pytest.raises(services.MergeRaced):
        save_text(seed_episode, 12, "Mine too.", version=seen)
    assert turn(seed_episode, 12).text != "Mine too."


def test_a_page_of_a_version_without_revision_is_still_refused(seed_episode):
    save_text(seed_episode, 4, "Saved.")
    Revision.objects.filter(episode=seed_episode, version=1).delete()
    with pytest.raises(services.StaleEpisode):
        save_text(seed_episode, 6, "Mine.", version=1)


def test_without_the_current_versions_revision_the_episode_is_read_from_its_rows(seed_episode, colleague):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    Revision.objects.filter(episode=seed_episode, version=seen + 1).delete()
    saved = save_text(seed_episode, 10, "My words.", version=seen)
    assert "(turn 5)" in saved.merged
    assert turn(seed_episode, 4).text == "Their words." and turn(seed_episode, 10).text == "My words."


def test_an_edit_between_the_other_saves_changes_lands_on_its_turn(seed_episode, colleague, monkeypatch):
    # The changed stretch runs from turn 5 to turn 13: this edit falls inside it, read from the revisions.
    monkeypatch.setattr(merging, "_theirs", None)
    seen = seed_episode.version
    first, last = turn(seed_episode, 4), turn(seed_episode, 12)
    edits = {first.pk: services.ItemEdit(text="Theirs first."), last.pk: services.ItemEdit(text="Theirs last.")}
    services.episode_save(episode=seed_episode, edits=edits, user=colleague)
    saved = save_text(seed_episode, 6, "Mine between.", version=seen)
    assert "(turns 5, 13)" in saved.merged
    texts = dict(seed_episode.items.values_list("position", "text"))
    assert (texts[4], texts[6], texts[12]) == ("Theirs first.", "Mine between.", "Theirs last.")
    assert list(texts.values()).count("Mine between.") == 1


def test_a_revision_with_another_number_of_items_than_the_rows_is_not_trusted(seed_episode, colleague, monkeypatch):
    seen = seed_episode.version
    save_text(seed_episode, 4, "Their words.", user=colleague)
    Episode.objects.filter(pk=seed_episode.pk).update(item_count=seed_episode.items.count() + 1)
    read, theirs = [], merging._theirs
    monkeypatch.setattr(merging, "_theirs", lambda *args: read.append(args) or theirs(*args))
    saved = save_text(seed_episode, 10, "My words.", version=seen)
    assert read and "(turn 5)" in saved.merged
    assert turn(seed_episode, 4).text == "Their words." and turn(seed_episode, 10).text == "My words."


def test_the_changed_stretch_is_read_from_the_revisions_item_by_item():
    text = (
        "---\ntitle: T\ntranscript:\n- line: a\n  who: A\n- header: H\n- line: b\n    b2\n\n    b3\n"
        "guests: []\n---\nbody\ntranscript:\n"
    )
    rest, items = merging._item_lines(text)
    assert items == ["- line: a\n  who: A\n", "- header: H\n", "- line: b\n    b2\n\n    b3\n"]
    assert rest == "---\ntitle: T\ntranscript: []\nguests: []\n---\nbody\ntranscript:\n"
    doc = merging._parsed(rest, items[1:])
    assert doc.front["transcript"] == [{"header": "H"}, {"line": "b b2\nb3"}] and doc.body == fm.parse(text).body
    assert merging._item_lines("---\ntitle: T\n---\ntranscript:\n- x\n") is None
