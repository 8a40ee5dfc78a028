from estream.core.suggestions import closest_match, did_you_mean


def test_a_case_insensitive_match_wins_over_a_closer_spelling() -> None:
    assert closest_match("ENUM", ["enums", "enum"]) == "enum"


def test_a_typo_finds_its_word_and_an_unrelated_word_finds_none() -> None:
    assert closest_match("strng", ["string", "bytes"]) == "string"
    assert closest_match("payload", ["string", "bytes"]) is None


def test_the_help_line_names_the_guess_or_is_absent() -> None:
    assert did_you_mean("byts", ["string", "bytes"]) == "did you mean `bytes`?"
    assert did_you_mean("zzz", ["string", "bytes"]) is None
    assert did_you_mean("x", []) is None
