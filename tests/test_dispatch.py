"""
signals_lab.runtime.dispatch, the only reader of Django's private dispatcher
layout: each layout the kit supports is pinned here with entries built by hand,
and the installed Django must store the one its version promises.
"""

import gc
import weakref

import django
import pytest
from django.dispatch import Signal

from signals_lab.runtime import dispatch


def receiver(sender, **kwargs):
    return None


class Sender:
    pass


def test_the_installed_django_uses_the_layout_of_its_version():
    expected = "6.0+" if django.VERSION >= (6, 0) else "5.2"
    assert dispatch.check_layout() == expected


def test_django_5_2_layout_three_items():
    raw = ((id(receiver), id(Sender)), weakref.ref(receiver), False)
    entry = dispatch._parse(raw)
    assert (entry.receiver_key, entry.sender_key) == (id(receiver), id(Sender))
    assert entry.receiver is receiver and entry.is_async is False


def test_django_6_layout_four_items_with_a_weak_sender():
    sender = Sender()
    raw = ((id(receiver), id(sender)), weakref.ref(receiver), weakref.ref(sender), True)
    entry = dispatch._parse(raw)
    assert entry.receiver is receiver and entry.is_async is True
    assert entry.sender_key == id(sender)
    del sender
    gc.collect()
    assert dispatch._parse(raw).receiver is None, "a dead sender means a dead connection"


def test_django_6_layout_without_sender_and_with_a_strong_receiver():
    raw = (("my-uid", dispatch.NONE_ID), receiver, None, False)
    entry = dispatch._parse(raw)
    assert entry.receiver_key == "my-uid" and entry.receiver is receiver


@pytest.mark.parametrize(
    "raw",
    [
        ((1, 2), None),
        ((1, 2), None, None, None, False),
        ("key", None, False),
        ((1, 2), None, "not a bool"),
    ],
)
def test_an_unknown_layout_fails_loudly_naming_the_file_to_update(raw):
    with pytest.raises(dispatch.LayoutError, match=r"Django \d"):
        dispatch._parse(raw)


def test_live_entries_skip_connections_whose_sender_is_gone():
    signal = Signal()
    sender = Sender()
    signal.connect(receiver, sender=sender)
    assert [f for _, f in dispatch.live_entries(signal)] == [receiver]
    del sender
    gc.collect()
    alive = [f for _, f in dispatch.live_entries(signal)]
    # 6.0+: the connection died with its sender; 5.2 keeps it under the dead id.
    assert alive == ([] if django.VERSION >= (6, 0) else [receiver])
