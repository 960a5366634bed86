"""Small helpers that lessons use: predict-then-run questions, showing source."""

import inspect

__all__ = ["predict", "same_answer", "source"]


def predict(question, prediction, actual):
    """
    Compare the learner's ``prediction`` with what Django really did.

    Lessons ask a question, let the learner type an answer in a variable
    (``None`` until they do), run the code, then call
    ``lab.predict("...", prediction, actual)`` with ``actual`` computed by the
    cell, never typed in. Prints one line.

    Values are compared the way a learner means them (:func:`same_answer`):
    a list and a tuple with the same items in the same order are the same
    answer, and sets (or frozensets) match whatever order they were typed in.
    """
    if prediction is None:
        print(f"{question} You have not predicted yet; Django says: {actual!r}.")
    elif same_answer(prediction, actual):
        print(f"{question} You predicted {prediction!r}: right, Django says {actual!r}.")
    else:
        print(f"{question} You predicted {prediction!r}, but Django says {actual!r}. Read on!")


def same_answer(prediction, actual):
    """
    True when ``prediction`` says what ``actual`` is: equal values; sequences
    (list, tuple) item by item whatever their type; sets and frozensets as sets,
    also against a sequence of unique items typed in another order.
    """
    sequences, sets = (list, tuple), (set, frozenset)
    if isinstance(prediction, sets) or isinstance(actual, sets):
        if isinstance(prediction, sequences + sets) and isinstance(actual, sequences + sets):
            items = list(prediction) if isinstance(prediction, sequences) else None
            return (items is None or len(items) == len(set(items))) and set(prediction) == set(
                actual
            )
        return False
    if isinstance(prediction, sequences) and isinstance(actual, sequences):
        return len(prediction) == len(actual) and all(
            same_answer(p, a) for p, a in zip(prediction, actual, strict=True)
        )
    try:
        return bool(prediction == actual)
    except Exception:  # noqa: BLE001 - an odd value that cannot compare is simply not equal
        return False


def source(obj):
    """Print the source code of a function, class or module, as it is on disk."""
    print(inspect.getsource(obj).rstrip())
