"""The search index's own query vectors are scikit-learn's, computed without its per-call overhead."""

from __future__ import annotations

import numpy as np
import pytest

from programs.catalog import Catalog
from programs.search import normalise

QUERIES = ["省エネ", "事業承継", "人手が足りない", "FAXで受注している", "ＩＴ導入　補助金", "電気代が上がって苦しい",
           "海外に売りたい　展示会", "zz", "ｶﾀｶﾅの相談"]


@pytest.fixture(scope="module")
def index(catalog_programs):  # type: ignore[no-untyped-def]
    return Catalog(catalog_programs).search_index


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_vector_equals_scikit_learns_transform(index, query: str) -> None:  # type: ignore[no-untyped-def]
    text = normalise(query).strip()
    for fitted, fast in ((index.name_vectorizer, index._name_query), (index.body_vectorizer, index._body_query)):
        expected = fitted.transform([text])
        columns, weights = fast(text)
        mine, theirs = np.argsort(columns), np.argsort(expected.indices)
        assert columns[mine].tolist() == expected.indices[theirs].tolist()
        assert np.allclose(weights[mine], expected.data[theirs], atol=1e-6)


def test_search_finds_the_programs_named_by_the_word_first(index) -> None:  # type: ignore[no-untyped-def]
    assert [pid for pid, _ in index.search("事業承継")[:3]] == [
        "jigyo_shokei_hikitsugi_hojokin", "jigyo_shokei_ma_hojokin", "jigyo_shokei_zeisei"]
    assert index.search("省エネ")[0][0] == "shoene_toshi_sokushin_shien_hojokin"


def test_the_same_texts_reuse_the_index_and_a_changed_text_gets_its_own(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    first = Catalog(catalog_programs).search_index
    assert Catalog(list(catalog_programs)).search_index is first  # a new version, same texts: built once
    changed = [catalog_programs[0].model_copy(update={"summary": "全く新しい説明文です。"}), *catalog_programs[1:]]
    other = Catalog(changed).search_index
    assert other is not first and other.search("全く新しい説明文")[0][0] == catalog_programs[0].id
