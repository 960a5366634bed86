"""Small helpers that lessons use: predict-then-run questions, showing source."""

import inspect

__all__ = ["predict", "source"]


def predict(question, prediction, actual):
    """
    Compare the learner's ``prediction`` with what Django really did.

    Lessons ask a question, let the learner type an answer in a variable
    (``None`` until they do), run the code, then call
    ``lab.predict("...", prediction, actual)`` with ``actual`` computed by the
    cell, never typed in. Prints one line.
    """
    if prediction is None:
        print(f"{question} You have not predicted yet; Django says: {actual!r}.")
    elif prediction == actual:
        print(f"{question} You predicted {prediction!r}: right, Django says {actual!r}.")
    else:
        print(f"{question} You predicted {prediction!r}, but Django says {actual!r}. Read on!")


def source(obj):
    """Print the source code of a function, class or module, as it is on disk."""
    print(inspect.getsource(obj).rstrip())
