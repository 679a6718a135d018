from chekara.domain.callcenter.answers import Answer, parse_answer, search

ANSWERS = [
    parse_answer("queue_wait", "ru", "# Очередь на пункте пропуска\nОчередь и время ожидания на странице /public."),
    parse_answer("queue_wait", "en", "# Queues at a checkpoint\nSee the waiting time on /public."),
    parse_answer("payments", "en", "# Customs payments\nImport VAT is 12 % of the customs value plus duty."),
]


def test_parse_answer_takes_the_title_line():
    assert ANSWERS[0] == Answer("queue_wait", "ru", "Очередь на пункте пропуска", "Очередь и время ожидания на странице /public.")


def test_search_ranks_title_words_and_filters_language():
    found = search(ANSWERS, "queue waiting", language="en")
    assert [a.topic for a in found] == ["queue_wait"]
    assert search(ANSWERS, "очередь", language="ru")[0].language == "ru"
    assert search(ANSWERS, "VAT") == [ANSWERS[2]]
    assert search(ANSWERS, "nothing-like-this") == []


def test_prefix_matches_count_a_little():
    assert search(ANSWERS, "pay", language="en")[0].topic == "payments"


def test_an_empty_query_lists_by_topic():
    assert [a.topic for a in search(ANSWERS, "", language="en")] == ["payments", "queue_wait"]
