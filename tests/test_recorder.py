"""The recorder against the real apps: what Django sends, it shows."""

import re
import sys

import pytest
from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.test import Client

from signals_lab import connected, record
from signals_lab.runtime.recorder import Event, short_repr
from tutorial_project.catalog.models import Author, Book, Chapter, Shelf, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return Author.objects.create(name="Ursula")


def test_create_sends_pre_and_post_save(author):
    with record() as rec:
        Book.objects.create(author=author, title="Earthsea")
    assert rec.names() == ["pre_save", "post_save"]
    post = rec[1]
    assert isinstance(post, Event)
    assert post.sender is Book
    assert post.kwargs["created"] is True
    assert post.kwargs["raw"] is False
    assert post.kwargs["update_fields"] is None
    assert "signal" not in post.kwargs and "sender" not in post.kwargs
    # the catalog app's own pre_save receiver fills in the slug
    assert rec[0].receivers == ["tutorial_project.catalog.signals.fill_book_slug"]


def test_save_with_update_fields_is_sorted_in_the_table(author):
    book = Book.objects.create(author=author, title="Earthsea")
    with record(only="post_save") as rec:
        book.save(update_fields=["title", "slug", "author"])
    assert rec[0].kwargs["update_fields"] == frozenset({"title", "slug", "author"})
    assert "update_fields=frozenset({'author', 'slug', 'title'})" in rec.table()


def test_update_and_bulk_create_send_no_save_signals(author):
    with record() as rec:
        Author.objects.filter(pk=author.pk).update(name="U. K. Le Guin")
        Tag.objects.bulk_create([Tag(name="a"), Tag(name="b")])
    assert rec.names() == []
    assert rec.table() == "(no signals recorded)"


def test_bulk_create_instances_send_init_signals_when_noise_is_on():
    with record(noise=True) as rec:
        Tag.objects.bulk_create([Tag(name="a")])
    assert rec.names() == ["pre_init", "post_init"]


def test_delete_without_listeners_fast_deletes_the_last_level(author):
    book = Book.objects.create(author=author, title="Earthsea")
    Chapter.objects.create(book=book, number=1, title="One")
    with record(only=["pre_delete", "post_delete"]) as rec:
        author.delete()
    # Chapter rows go in one fast DELETE: nobody listens, so Django sends nothing.
    assert [(e.signal, e.sender.__name__) for e in rec] == [
        ("pre_delete", "Book"),
        ("pre_delete", "Author"),
        ("post_delete", "Book"),
        ("post_delete", "Author"),
    ]
    assert all(e.kwargs["origin"] == author for e in rec)
    # the cascaded Book was loaded with only the fields the collector needs;
    # its __str__ would query the title, so the recorder shows its pk instead
    assert rec[0].arguments()[0] == "instance=<Book pk=1>"


def test_delete_with_a_listener_sends_for_every_level(author):
    book = Book.objects.create(author=author, title="Earthsea")
    Chapter.objects.create(book=book, number=1, title="One")

    def listener(sender, **kwargs):
        pass

    with connected(pre_delete, listener), record(only=["pre_delete", "post_delete"]) as rec:
        author.delete()
    assert [(e.signal, e.sender.__name__) for e in rec] == [
        ("pre_delete", "Chapter"),
        ("pre_delete", "Book"),
        ("pre_delete", "Author"),
        ("post_delete", "Chapter"),
        ("post_delete", "Book"),
        ("post_delete", "Author"),
    ]


def test_m2m_actions(author):
    book = Book.objects.create(author=author, title="Earthsea")
    fantasy, classic, humour = (
        Tag.objects.create(name=n) for n in ("fantasy", "classic", "humour")
    )

    def listener(sender, **kwargs):
        pass

    # Django sends m2m_changed for add() only when someone listens.
    with connected(m2m_changed, listener), record(only="m2m_changed") as rec:
        book.tags.add(fantasy, classic)
        book.tags.remove(classic)
        book.tags.set([humour])
        book.tags.clear()
    actions = [(e.kwargs["action"], e.kwargs["pk_set"]) for e in rec]
    assert actions == [
        ("pre_add", {fantasy.pk, classic.pk}),
        ("post_add", {fantasy.pk, classic.pk}),
        ("pre_remove", {classic.pk}),
        ("post_remove", {classic.pk}),
        ("pre_remove", {fantasy.pk}),
        ("post_remove", {fantasy.pk}),
        ("pre_add", {humour.pk}),
        ("post_add", {humour.pk}),
        ("pre_clear", None),
        ("post_clear", None),
    ]
    assert rec[0].sender is Book.tags.through
    assert rec[0].kwargs["reverse"] is False and rec[0].kwargs["model"] is Tag


def test_custom_through_add_sends_m2m_changed_not_save(author):
    book = Book.objects.create(author=author, title="Earthsea")
    shelf = Shelf.objects.create(name="Favourites")
    with record() as rec:
        shelf.books.add(book, through_defaults={"position": 1})
    assert rec.names() == []  # no listener: add() skips m2m_changed altogether

    def listener(sender, **kwargs):
        pass

    shelf.books.clear()
    with connected(m2m_changed, listener), record() as rec:
        shelf.books.add(book, through_defaults={"position": 1})
    # the Placement row is inserted with bulk_create: no pre_save/post_save
    assert rec.names() == ["m2m_changed", "m2m_changed"]


def test_test_client_request_and_registration_email(django_capture_on_commit_callbacks):
    from django.core import mail

    with record() as rec, django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/register/",
            {
                "username": "ada",
                "email": "ada@example.com",
                "password1": "analytical-engine-1843",
                "password2": "analytical-engine-1843",
            },
        )
    assert response.status_code == 302
    assert rec.names() == ["request_started", "pre_save", "post_save", "request_finished"]
    assert rec[3].sender is None  # the test client's request_finished
    assert rec[2].receivers == ["tutorial_project.accounts.signals.send_confirmation_email"]
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_login_through_the_real_view():
    User.objects.create_user("grace", password="cobol-1959")
    with record(exclude=["request_started", "request_finished"]) as rec:
        Client().post("/accounts/login/", {"username": "grace", "password": "cobol-1959"})
        Client().post("/accounts/login/", {"username": "grace", "password": "wrong"})
    names = rec.names()
    assert "user_logged_in" in names and "user_login_failed" in names
    saves = [e for e in rec if e.signal == "post_save" and e.sender is User]
    assert saves[0].kwargs["update_fields"] == frozenset({"last_login"})
    failed = rec.filter(signal="user_login_failed")[0]
    assert failed.sender == "django.contrib.auth"
    assert set(failed.kwargs["credentials"]["password"]) == {"*"}  # cleansed by Django


def test_filters_by_sender_and_lazy_label(author):
    with record(sender="catalog.book") as rec:
        Book.objects.create(author=author, title="X")
        Tag.objects.create(name="t")
    assert {e.sender for e in rec} == {Book}


def test_receivers_listed_in_order_and_raise_is_marked(author):
    calls = []

    def first(sender, **kwargs):
        calls.append("first")

    def second(sender, **kwargs):
        raise RuntimeError("second fails")

    def third(sender, **kwargs):
        calls.append("third")

    with connected(pre_save, first, sender=Tag), connected(pre_save, second, sender=Tag):
        with connected(pre_save, third, sender=Tag):
            with record(only="pre_save") as rec, pytest.raises(RuntimeError):
                Tag.objects.create(name="t")
    event = rec[0]
    assert [r.rsplit(".", 1)[-1] for r in event.receivers] == ["first", "second"]
    assert isinstance(event.raised, RuntimeError)
    assert "raised RuntimeError" in rec.table()
    assert calls == ["first"]
    assert Tag.objects.count() == 0


ping = Signal()


def test_send_robust_marks_caught_failures():
    def broken(sender, **kwargs):
        raise ValueError("nope")

    def fine(sender, **kwargs):
        return "ok"

    with connected(ping, broken), connected(ping, fine):
        with record() as rec:
            responses = ping.send_robust(sender="test")
    assert [type(r).__name__ for _, r in responses] == ["ValueError", "str"]
    event = rec[0]
    assert event.signal == "ping"  # found by its variable name
    assert event.method == "send_robust"
    assert len(event.failed) == 1 and event.failed[0].endswith("broken")
    assert "✗ caught" in rec.table()


def test_nested_signals_have_depth(author):
    def save_tag(sender, instance, created, **kwargs):
        if created:
            Tag.objects.create(name=f"tag-for-{instance.pk}")

    with connected(post_save, save_tag, sender=Author):
        with record(only=["post_save"]) as rec:
            Author.objects.create(name="Terry")
    assert [(e.sender.__name__, e.depth) for e in rec] == [("Author", 0), ("Tag", 1)]
    header, author_row, tag_row = rec.table().splitlines()
    column = header.index("signal")
    # depth 0 starts at the signal column; depth 1 two spaces further in
    assert author_row[column:].startswith("post_save  ")
    assert tag_row[column:].startswith("  post_save  ")
    assert "catalog.Author" in author_row and "catalog.Tag" in tag_row
    # HTML collapses leading spaces: nested events keep their indent there too
    cells = re.findall(r"<tr><td[^>]*>\d+</td><td[^>]*>(.*?)</td>", rec._repr_html_())
    assert cells == ["post_save", "&#160;&#160;post_save"]


def test_async_asend_is_recorded():
    import asyncio

    async def async_receiver(sender, **kwargs):
        return "async"

    def sync_receiver(sender, **kwargs):
        return "sync"

    with connected(ping, async_receiver), connected(ping, sync_receiver):
        with record() as rec:
            asyncio.run(ping.asend(sender=None))
    assert rec[0].method == "asend"
    assert [r.rsplit(".", 1)[-1] for r in rec[0].receivers] == ["sync_receiver", "async_receiver"]


def test_outputs_are_deterministic(author):
    with record(noise=True) as rec:
        list(Author.objects.all())
        Book.objects.create(author=author, title="T")
    text = rec.table() + rec._repr_html_() + rec.diagram().source()
    assert "0x" not in text
    bundle = rec.diagram()._repr_mimebundle_()
    assert set(bundle) == {"text/vnd.mermaid", "text/markdown", "text/plain"}
    assert bundle["text/markdown"].startswith("```mermaid\nsequenceDiagram")


def test_short_repr_never_runs_a_queryset(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert short_repr(Book.objects.all()) == "<QuerySet catalog.Book>"
    assert short_repr(object()) == "<object>"
    assert short_repr({"b", "a"}) == "{'a', 'b'}"
    assert short_repr(frozenset()) == "frozenset()"


def test_recorder_off_calls_nothing_of_the_recorder_and_costs_little(monkeypatch):
    from signals_lab.runtime import recorder

    quiet = Signal()
    monkeypatch.setattr(recorder, "_active", [])  # the premise: no recording open anywhere
    rec = record()
    with rec:
        pass
    assert recorder._originals, "the recorder is installed (session fixture)"
    # The cost, counted rather than timed (timings flake on a loaded machine):
    # with no recording open, a send through the wrapper makes exactly one
    # more Python call (the wrapper's own frame) and no C call at all, so a
    # sleep, a lock or a lookup added to every send fails this.
    original = _profile(recorder._originals["send"], quiet)
    wrapped = _profile(Signal.send, quiet)
    extra = [event for event in wrapped if event not in original]
    assert extra == [("call", "wrapper"), ("return", "wrapper")], wrapped
    # no recording open: the wrapper must not reach any recording machinery
    for name in ("_recordings_for", "_begin", "_finish", "signal_name", "short_repr"):
        monkeypatch.setattr(recorder, name, _forbidden(name))
    quiet.send(sender=None)
    Tag.objects.create(name="outside")
    assert rec.events == []


def _profile(send, signal):
    """Every Python and C call made by one ``send(signal)``, as (event, name) pairs."""
    seen = []

    def profile(frame, event, arg):
        if event != "c_return":
            seen.append((event, getattr(arg, "__name__", None) or frame.f_code.co_name))

    sys.setprofile(profile)
    try:
        send(signal, sender=None)
    finally:
        sys.setprofile(None)
    return [event for event in seen if event != ("c_call", "setprofile")]


def _forbidden(name):
    def call(*args, **kwargs):
        raise AssertionError(f"{name} was called with no recording open")

    return call


def test_arguments_whose_value_is_none_are_kept():
    with record() as rec:
        ping.send(sender="test", reason=None, count=0, flag=False)
    event = rec[0]
    assert event.kwargs == {"reason": None, "count": 0, "flag": False}
    assert event.arguments() == ["reason=None", "count=0", "flag=False"]
    assert "reason=None, count=0, flag=False" in rec.table()


def test_signal_names_survive_garbage_collection_and_id_reuse():
    import gc
    import sys

    from signals_lab.runtime.recorder import signal_name

    main = sys.modules["__main__"].__dict__
    ids = []
    for _ in range(30):
        for name in ("a_signal", "b_signal"):
            main[name] = Signal()
            ids.append(id(main[name]))
            try:
                assert signal_name(main[name]) == name
            finally:
                del main[name]
    # Freed at once (no cycle), so the next Signal() got a dead one's id().
    assert len(set(ids)) < len(ids)
    gc.collect()
    main["a_signal"] = Signal()
    try:
        assert signal_name(main["a_signal"]) == "a_signal"
    finally:
        del main["a_signal"]


def test_showing_an_instance_never_counts_as_a_query(author):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    book = Book.objects.create(author=author, title="Earthsea")

    def listener(sender, **kwargs):
        pass

    def delete_one(recording):
        pk = Chapter.objects.create(book=book, number=1, title="One").pk
        chapter = Chapter.objects.only("id", "number").get(pk=pk)  # its str() would query
        with connected(pre_delete, listener), CaptureQueriesContext(connection) as queries:
            if recording:
                with record(only="pre_delete") as rec:
                    chapter.delete()
                assert rec[0].arguments()[0] == f"instance=<Chapter pk={pk}>"
            else:
                chapter.delete()
        return len(queries.captured_queries)

    assert delete_one(recording=True) == delete_one(recording=False)
