"""Re-run-safe receivers: a cell run three times, edited in between, leaves one."""

import textwrap

import pytest
from django.db.models.signals import post_save

from signals_lab import LabError, connected, connected_receivers, forget, receiver
from signals_lab.runtime.dispatch import planned
from tutorial_project.catalog.models import Tag

pytestmark = pytest.mark.django_db

CELL = """
from django.db.models.signals import post_save
from tutorial_project.catalog.models import Tag
from signals_lab import receiver

@receiver(post_save, sender=Tag)
def on_tag(sender, instance, **kwargs):
    calls.append({version})
"""


def run_cell(namespace, version):
    exec(textwrap.dedent(CELL.format(version=version)), namespace)


def live(signal, sender, name="on_tag"):
    sync, async_ = planned(signal, sender)
    return [r for r in [*sync, *async_] if getattr(r, "__name__", "") == name]


def test_three_runs_with_edits_leave_exactly_the_latest():
    namespace = {"__name__": "__main__", "calls": []}
    for version in (1, 2, 3):
        run_cell(namespace, version)
    assert len(live(post_save, Tag)) == 1
    Tag.objects.create(name="x")
    assert namespace["calls"] == [3]
    assert forget() == 1
    assert live(post_save, Tag) == []


@pytest.mark.parametrize("debug, fired", [(True, [1, 2]), (False, [2])])
def test_plain_connect_stacks_with_debug_which_is_why_the_helper_exists(settings, debug, fired):
    # DEBUG=True: connect() checks the receiver with an lru_cache'd helper that
    # keeps every version alive; DEBUG=False: the old version is garbage.
    settings.DEBUG = debug
    calls = []
    for version in (1, 2):

        def on_tag(sender, version=version, **kwargs):
            calls.append(version)

        post_save.connect(on_tag, sender=Tag)
    try:
        import gc

        gc.collect()
        Tag.objects.create(name="x")
        assert calls == fired
    finally:
        forget(signal=post_save, name="on_tag")
    Tag.objects.create(name="y")
    assert calls == fired


def test_changing_the_sender_on_rerun_moves_the_receiver():
    from tutorial_project.catalog.models import Author

    calls = []

    @receiver(post_save, sender=Tag, uid="move-me")
    def first(sender, **kwargs):
        calls.append(sender.__name__)

    @receiver(post_save, sender=Author, uid="move-me")
    def second(sender, **kwargs):
        calls.append(sender.__name__)

    Tag.objects.create(name="x")
    Author.objects.create(name="a")
    assert calls == ["Author"]
    forget()


def test_connected_disconnects_even_on_error():
    def on_tag(sender, **kwargs):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError), connected(post_save, on_tag, sender=Tag):
        Tag.objects.create(name="x")
    Tag.objects.create(name="y")  # no receiver any more


def test_bad_input_gives_lab_errors(settings):
    settings.DEBUG = True
    with pytest.raises(LabError, match="not a signal"):
        receiver("post_save")
    with pytest.raises(LabError, match="keyword arguments"):

        @receiver(post_save, sender=Tag)
        def no_kwargs(sender, instance):
            pass

    assert connected_receivers() == []


def test_stacked_decorators_connect_one_function_to_several_senders():
    from django.db.models.signals import post_delete

    from tutorial_project.catalog.models import Author

    calls = []

    def define(version):
        @receiver(post_delete, sender=Tag)
        @receiver(post_delete, sender=Author)
        def log_deletion(sender, **kwargs):
            calls.append((version, sender.__name__))

    for version in (1, 2):  # the cell runs twice
        define(version)
    Tag.objects.create(name="x").delete()
    Author.objects.create(name="a").delete()
    assert calls == [(2, "Tag"), (2, "Author")]
    assert len(connected_receivers()) == 2
    forget()


SWITCH = """
from django.db.models.signals import post_save, pre_save
from tutorial_project.catalog.models import Tag
from signals_lab import receiver

@receiver({signal}, sender=Tag)
def sync_slug(sender, instance, **kwargs):
    calls.append("{signal}")
"""


def test_editing_the_signal_of_a_receiver_replaces_it_on_every_signal():
    from django.db.models.signals import pre_save

    namespace = {"__name__": "__main__", "calls": []}
    for signal in ("pre_save", "post_save", "pre_save"):
        exec(textwrap.dedent(SWITCH.format(signal=signal)), namespace)
    calls = namespace["calls"]
    Tag.objects.create(name="x")
    assert calls == ["pre_save"]  # only the latest version, only on its signal
    assert connected_receivers() == [("pre_save", "sync_slug")]
    assert len(live(pre_save, Tag, "sync_slug")) == 1
    assert live(post_save, Tag, "sync_slug") == []
    assert forget() == 1
    assert live(pre_save, Tag, "sync_slug") == []


def test_stacked_decorators_on_two_signals_survive_a_rerun_as_two_connections():
    from django.db.models.signals import pre_save

    calls = []

    def define(version):
        @receiver(pre_save, sender=Tag)
        @receiver(post_save, sender=Tag)
        def both(sender, **kwargs):
            calls.append((version, kwargs["signal"] is pre_save))

    define(1)
    define(2)
    Tag.objects.create(name="x")
    assert calls == [(2, True), (2, False)]
    assert [(signal, name.rsplit(".", 1)[-1]) for signal, name in connected_receivers()] == [
        ("post_save", "both"),
        ("pre_save", "both"),
    ]
    forget()
