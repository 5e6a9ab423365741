"""The omission check's evidence from the source's last clause and from the
characters of a two-character word (pipeline/checks/coverage.py)."""

from __future__ import annotations

from pipeline.checks import coverage
from pipeline.checks.coverage import check_omission, omission_features
from pipeline.checks.length import MAX_SHORT_Z
from pipeline.checks.model import CheckContext

# Sentences written for these tests (not from the dev corpus).
PRICES = "国家统计局今天发布数据显示，上个月全国居民消费价格同比上涨，涨幅比前一个月明显回落。"
PRICES_EN = (
    "Data released by the National Bureau of Statistics today showed that consumer prices rose year on year last"
    " month, though the increase was markedly smaller than in the month before."
)
#: The same, stopped after its second clause: its well-covered start and
#: its length (within the length model's bound) hid the cut from a model
#: that weighed only the shares and the uncovered end.
PRICES_CUT = (
    "Data released by the National Bureau of Statistics today showed that consumer prices rose year on year last month."
)
INDUSTRY = "今年以来，全省工业增速稳步回升，出口增速明显加快，市场信心持续增强。"
#: Complete but free: 增速 ("growth rate") said by what 增 means ("increase").
INDUSTRY_EN = (
    "Since the start of the year the province's industry has picked up steadily, exports have increased faster and"
    " market confidence has kept strengthening."
)


def omission(source: str, target: str) -> list[str]:
    return list(check_omission(source, target, CheckContext()))


def test_the_last_clause_share_counts_the_source_s_last_clause():
    assert coverage.coverage(PRICES, PRICES_CUT).last_clause_share() == 0.0
    assert coverage.coverage(PRICES, PRICES_EN).last_clause_share() > 0
    # A source without known content words gives no evidence either way.
    assert coverage.coverage("。", "Yes.").last_clause_share() == 0.5


def test_clauses_are_numbered_at_full_and_half_width_marks():
    cov = coverage.coverage("经济增长，物价稳定;就业扩大。", "The economy grew, prices held and jobs rose.")
    assert dict(zip((w for w, _ in cov.words), cov.clauses, strict=True)) == {
        "经济": 0,
        "增长": 0,
        "物价": 1,
        "稳定": 1,
        "就业": 2,
        "扩大": 2,
    }


def test_a_cut_that_leaves_the_last_clause_uncovered_is_caught():
    """Missed before the last clause counted: 6 of 7 content words covered
    and a length within the model's bound."""
    features = omission_features(PRICES, PRICES_CUT)
    assert features.z > -MAX_SHORT_Z  # length alone would not flag it
    (problem,) = omission(PRICES, PRICES_CUT)
    assert problem.startswith("part of the source seems untranslated, its end above all: ")
    assert "回落" in problem


def test_the_complete_translation_is_not_flagged():
    assert omission(PRICES, PRICES_EN) == []


def test_a_two_character_word_is_covered_by_one_of_its_characters():
    cov = coverage.coverage(INDUSTRY, INDUSTRY_EN)
    assert [c for w, c in cov.words if w == "增速"] == [True, True]
    assert omission(INDUSTRY, INDUSTRY_EN) == []


def test_a_character_s_gloss_does_not_cover_a_word_that_is_not_said():
    """The fallback reads the word's own characters only: "exports" does
    not cover 增速."""
    cov = coverage.coverage("出口增速。", "Exports.")
    assert dict(cov.words)["增速"] is False
