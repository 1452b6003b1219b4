"""Agreement coefficients against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import (
    LabelMatrix,
    QualityInputError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
# 4 coders, 12 units, "." is a missing value.
KRIPPENDORFF = {
    "A": "1 2 3 3 2 1 4 1 2 . . .",
    "B": "1 2 3 3 2 2 4 1 2 5 . 3",
    "C": ". 3 3 3 2 3 4 2 2 5 1 .",
    "D": "1 2 3 3 2 4 4 1 2 5 1 .",
}

# Fleiss (1971) example as tabulated on Wikipedia: 10 subjects, 14 raters, 5 categories.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def krippendorff_matrix() -> LabelMatrix:
    tasks, workers, labels = [], [], []
    for coder, row in KRIPPENDORFF.items():
        for unit, value in enumerate(row.split()):
            if value != ".":
                tasks.append(unit)
                workers.append(coder)
                labels.append(int(value))
    return LabelMatrix.from_arrays(tasks, workers, labels)


def counts_matrix(table: list[list[int]]) -> LabelMatrix:
    tasks, workers, labels = [], [], []
    for subject, row in enumerate(table):
        rater = 0
        for category, n in enumerate(row):
            for _ in range(n):
                tasks.append(subject)
                workers.append(rater)
                labels.append(category)
                rater += 1
    return LabelMatrix.from_arrays(tasks, workers, labels)


class TestKrippendorffAlpha:
    @pytest.mark.parametrize(
        ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
    )
    def test_published_example(self, level: str, expected: float) -> None:
        """The paper's 4x12 example with missing values gives its published alphas."""
        assert krippendorff_alpha(krippendorff_matrix(), level=level) == pytest.approx(  # type: ignore[arg-type]
            expected, abs=5e-4
        )

    def test_unknown_level_raises(self) -> None:
        """An unknown level of measurement is refused."""
        with pytest.raises(QualityInputError, match="level: must be 'nominal'"):
            krippendorff_alpha(krippendorff_matrix(), level="ratio")  # type: ignore[arg-type]

    def test_no_pairable_task_raises(self) -> None:
        """Alpha is undefined when no task has two labels."""
        m = LabelMatrix.from_arrays(["t", "u"], ["a", "a"], ["x", "y"])
        with pytest.raises(QualityInputError, match="no task has two labels"):
            krippendorff_alpha(m)


class TestFleissKappa:
    def test_published_example(self) -> None:
        """The Fleiss example gives kappa = 0.210."""
        assert fleiss_kappa(counts_matrix(FLEISS)) == pytest.approx(0.2099, abs=1e-4)

    def test_unequal_redundancy_raises(self) -> None:
        """Tasks with different numbers of labels are refused."""
        with pytest.raises(QualityInputError, match="same number of labels"):
            fleiss_kappa(krippendorff_matrix())


class TestCohenKappa:
    def test_published_example(self) -> None:
        """50 items, agreement 20 yes + 15 no, disagreement 5 + 10: kappa = 0.4."""
        pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
        tasks = [i for i in range(50) for _ in range(2)]
        m = LabelMatrix.from_arrays(tasks, ["a", "b"] * 50, [x for p in pairs for x in p])
        kappa = cohen_kappa(m)
        assert kappa[0, 1] == pytest.approx(0.4)
        assert kappa[1, 0] == pytest.approx(0.4)

    def test_too_few_shared_is_nan(self) -> None:
        """Pairs sharing fewer tasks than min_shared get NaN."""
        m = LabelMatrix.from_arrays(["t", "t", "u"], ["a", "b", "a"], ["x", "y", "y"])
        assert np.isnan(cohen_kappa(m, min_shared=2)[0, 1])

    def test_bad_min_shared_raises(self) -> None:
        """min_shared must be a positive integer."""
        with pytest.raises(QualityInputError, match="min_shared: must be an integer >= 1"):
            cohen_kappa(krippendorff_matrix(), min_shared=0)
