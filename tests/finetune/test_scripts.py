"""Telling scripts written without spaces (Chinese, Japanese, Thai...) from the others."""

from finetune.scripts import (
    is_mostly_unspaced,
    is_unspaced,
    length_unit,
    main_script,
    text_length,
    unspaced_share,
)


def test_it_knows_the_characters_of_unspaced_scripts():
    for ch in "中国の𠀀ก ລ ក ၁":  # Chinese, Japanese kana, a rare ideograph, Thai, Lao, Khmer...
        if not ch.isspace():
            assert is_unspaced(ch), ch
    for ch in "aé한Я5,😀 ":  # Latin, Korean (spaced), Cyrillic, digit, punctuation, emoji
        assert not is_unspaced(ch), ch


def test_it_measures_how_much_of_the_text_is_in_unspaced_scripts():
    assert unspaced_share(["我很喜欢这部电影"]) == 1.0
    assert unspaced_share(["good film"]) == 0.0
    assert unspaced_share(["我喜欢 ok"]) == 0.75  # 3 characters beside 1 English word
    assert unspaced_share(["สวัสดีครับ"]) == 1.0  # Thai vowel signs are marks, counted once
    assert unspaced_share(["😀 2024 !!!"]) == 0.0  # no letters at all
    assert unspaced_share([]) == 0.0
    assert is_mostly_unspaced(["手机很好用, battery ok"])
    assert not is_mostly_unspaced(["the 手机 was fine"])


def test_it_names_the_main_script():
    assert main_script(["这家餐厅的菜很好吃"]) == "Chinese"
    # Kana among the Chinese characters make it Japanese.
    assert main_script(["この映画はとても面白かった"]) == "Japanese"
    assert main_script(["อาหารอร่อยมาก"]) == "Thai"
    assert main_script(["a fine film"]) is None


def test_it_counts_lengths_in_characters_for_unspaced_text():
    chinese = ["我很喜欢这部电影", "太差了"]
    assert length_unit(chinese) == "characters"
    assert length_unit(["a fine film"]) == "words"
    assert text_length("我很喜欢 这部电影", "characters") == 8
    assert text_length("a fine film", "words") == 3
