"""lab.predict: answers compared the way a learner means them."""

from signals_lab.runtime.teaching import predict, same_answer


def test_predict_compares_answers_the_way_a_learner_means_them(capsys):
    assert same_answer([True, False], (True, False))
    assert same_answer({"b", "a"}, frozenset({"a", "b"}))
    assert same_answer(["a", "b"], {"b", "a"})
    assert same_answer(("x", ["y", 1]), ["x", ("y", 1)])
    assert not same_answer([True, False], (False, True))
    assert not same_answer(["a", "a"], {"a"})
    assert not same_answer([1, 2], [1, 2, 3])
    assert not same_answer("ab", ["a", "b"])
    assert same_answer(2, 2.0) and not same_answer(2, "2")
    predict("Which?", [True, False], (True, False))
    assert capsys.readouterr().out == (
        "Which? You predicted [True, False]: right, Django says (True, False).\n"
    )
