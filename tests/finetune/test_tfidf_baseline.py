"""The TF-IDF baseline every task shares reads Chinese by characters, and texts with no word."""

from finetune.tasks import get_task
from finetune.tasks.base import Examples
from finetune.tfidf import tfidf
from tests.finetune.chinesedata import chinese_reviews


def test_it_reads_unspaced_text_by_characters():
    train = chinese_reviews(200, seed=0)
    vectorizer, x_train = tfidf(train)
    assert vectorizer.analyzer == "char_wb"
    assert {"好", "差"} <= set(vectorizer.vocabulary_)
    assert x_train.shape[0] == 200


def test_its_character_baseline_learns_what_one_word_per_sentence_cannot():
    task = get_task("single_label")
    train, test = chinese_reviews(200, seed=0), chinese_reviews(100, seed=1)
    head = task.make_head(train, train)
    figures = task.baselines(train, test, head)
    assert figures["baseline_tfidf_accuracy"] >= 0.95
    # The word-level reader of before: every sentence is one unseen word, so it guesses.
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b").fit(train.texts)
    assert len(words.vocabulary_) == len(set(train.texts))
    assert words.transform(test.texts).nnz == 0


def test_it_keeps_words_for_spaced_text():
    train = Examples(rows=[0, 1], texts=["a good film", "a bad film"], targets=["p", "n"])
    vectorizer, _ = tfidf(train)
    assert vectorizer.analyzer == "word"
    assert "good film" in vectorizer.vocabulary_


def test_it_scores_texts_with_no_word_at_all_in_every_task():
    emoji = ["😀😀", "😡", "😀", "😡😡", "😀👍", "😡👎"] * 5
    labels = ["happy", "angry"] * 15
    train = Examples(rows=list(range(30)), texts=emoji, targets=labels)
    single = get_task("single_label")
    figures = single.baselines(train, train, single.make_head(train, train))
    assert figures["baseline_tfidf_accuracy"] == 1.0
    multi = get_task("multi_label")
    tagged = Examples(rows=train.rows, texts=emoji, targets=[[label] for label in labels])
    assert "baseline_tfidf_micro_f1" in multi.baselines(
        tagged, tagged, multi.make_head(tagged, tagged)
    )
    regression = get_task("regression")
    scored = Examples(rows=train.rows, texts=emoji, targets=[1.0, 5.0] * 15)
    figures = regression.baselines(scored, scored, regression.make_head(scored, scored))
    assert figures["baseline_tfidf_rmse"] < figures["baseline_mean_rmse"]
