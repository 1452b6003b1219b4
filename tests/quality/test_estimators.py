"""One contract every estimator meets, plus invariance properties."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from labelshare.quality import (
    BCC,
    GLAD,
    MACE,
    ConvergenceWarning,
    DawidSkene,
    LabelEstimator,
    LabelMatrix,
    MajorityVote,
    NotFittedError,
    OneCoinDawidSkene,
    QualityInputError,
    WeightedVote,
    loo_quality_weights,
)
from tests.quality.strategies import Answers, answers

FACTORIES: list[Callable[[], LabelEstimator]] = [
    MajorityVote,
    WeightedVote,
    DawidSkene,
    lambda: DawidSkene(smoothing=1.0),
    OneCoinDawidSkene,
    GLAD,
    MACE,
    BCC,
]
IDS = ["mv", "wv", "ds", "ds-map", "ods", "glad", "mace", "bcc"]
ITERATIVE: list[Callable[..., LabelEstimator]] = [
    DawidSkene,
    OneCoinDawidSkene,
    GLAD,
    MACE,
    BCC,
]
ITERATIVE_IDS = ["ds", "ods", "glad", "mace", "bcc"]


def fit_quietly(estimator: LabelEstimator, matrix: LabelMatrix, **kwargs: object) -> LabelEstimator:
    """Fit, allowing only the cap warning (tiny random data need not converge)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(matrix, **kwargs)  # type: ignore[arg-type]
    assert all(issubclass(w.category, ConvergenceWarning) for w in caught), caught
    return estimator


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
class TestContract:
    def test_fit_returns_self_with_valid_posterior(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """fit returns self; probas are (tasks, classes), in [0, 1], rows sum to one."""
        est = factory()
        assert fit_quietly(est, flipped) is est
        assert est.probas_.shape == (flipped.n_tasks, flipped.n_classes)
        assert np.all((est.probas_ >= 0) & (est.probas_ <= 1))
        np.testing.assert_allclose(est.probas_.sum(axis=1), 1.0)
        assert est.labels_.tolist() == np.argmax(est.probas_, axis=1).tolist()
        assert est.labels_.dtype == np.int64
        assert est.n_iter_ >= 1

    def test_unfitted_attribute_raises(self, factory: Callable[[], LabelEstimator]) -> None:
        """Reading a learned attribute before fit raises NotFittedError."""
        with pytest.raises(NotFittedError, match="call fit"):
            _ = factory().labels_

    def test_loo_before_fit_raises(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """Quality weights need a fitted estimator."""
        with pytest.raises(NotFittedError, match="not fitted"):
            loo_quality_weights(factory(), flipped)

    def test_loo_weights_are_probabilities(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """One weight per label, each in [0, 1]; the flipping worker gets the lowest."""
        est = fit_quietly(factory(), flipped)
        q = loo_quality_weights(est, flipped)
        assert q.shape == (flipped.n_labels,)
        assert np.all((q >= 0) & (q <= 1))
        c = flipped.workers == flipped.worker_index("c")
        assert q[c].max() < q[~c].min()

    def test_loo_on_other_matrix_raises(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix, tie: LabelMatrix
    ) -> None:
        """Weights for a matrix of another shape than the fitted one are refused."""
        est = fit_quietly(factory(), flipped)
        with pytest.raises(QualityInputError, match="differs from the fitted"):
            loo_quality_weights(est, tie)

    def test_gold_clamps_task(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """A gold task takes its gold class with probability one."""
        est = fit_quietly(factory(), flipped, gold={0: 1})
        assert est.probas_[0].tolist() == [0.0, 1.0]
        assert est.labels_[0] == 1

    def test_bad_gold_raises(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """A gold class outside the matrix's classes is refused."""
        with pytest.raises(QualityInputError, match="gold: class index out of range"):
            factory().fit(flipped, gold={0: 7})

    def test_refit_is_deterministic(
        self, factory: Callable[[], LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """Two fits on the same data give bit-identical posteriors."""
        a = fit_quietly(factory(), flipped).probas_
        b = fit_quietly(factory(), flipped).probas_
        assert np.array_equal(a, b)

    def test_not_a_matrix_raises(self, factory: Callable[[], LabelEstimator]) -> None:
        """fit refuses anything but a LabelMatrix."""
        with pytest.raises(QualityInputError, match="expected a LabelMatrix"):
            factory().fit([[0, 0, 1]])  # type: ignore[arg-type]

    @settings(max_examples=15, deadline=None)
    @given(data=answers(), seed=st.integers(0, 2**32 - 1))
    def test_invariant_to_row_order(
        self, factory: Callable[[], LabelEstimator], data: Answers, seed: int
    ) -> None:
        """Shuffling the input rows changes nothing, bit for bit."""
        t, w, y = data
        perm = np.random.default_rng(seed).permutation(t.shape[0])
        a = fit_quietly(factory(), LabelMatrix.from_arrays(t, w, y))
        b = fit_quietly(factory(), LabelMatrix.from_arrays(t[perm], w[perm], y[perm]))
        assert np.array_equal(a.probas_, b.probas_)

    @settings(max_examples=15, deadline=None)
    @given(data=answers())
    def test_invariant_to_id_relabelling(
        self, factory: Callable[[], LabelEstimator], data: Answers
    ) -> None:
        """Renaming tasks and workers (reversing their sort order) maps posteriors along."""
        t, w, y = data
        original = LabelMatrix.from_arrays(t, w, y)
        a = fit_quietly(factory(), original)
        renamed = LabelMatrix.from_arrays([f"t{99 - i}" for i in t], [f"w{99 - i}" for i in w], y)
        b = fit_quietly(factory(), renamed)
        for i, task_id in enumerate(original.task_ids.tolist()):
            j = renamed.task_index(f"t{99 - task_id}")
            np.testing.assert_allclose(a.probas_[i], b.probas_[j], atol=1e-6)


@pytest.mark.parametrize("cls", ITERATIVE, ids=ITERATIVE_IDS)
class TestIterative:
    def test_cap_warns(self, cls: Callable[..., LabelEstimator], flipped: LabelMatrix) -> None:
        """Stopping at n_iter before reaching tol raises a ConvergenceWarning."""
        with pytest.warns(ConvergenceWarning, match="stopped at n_iter=1"):
            cls(n_iter=1, tol=0.0).fit(flipped)

    def test_converges_without_warning(
        self, cls: Callable[..., LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """With the default cap the toy case converges silently (warnings are errors here)."""
        est = cls().fit(flipped)
        assert est.n_iter_ < est.get_params()["n_iter"]

    def test_bad_n_iter_raises(
        self, cls: Callable[..., LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """A non-positive iteration cap is refused, naming the parameter."""
        with pytest.raises(QualityInputError, match="n_iter: must be an integer >= 1"):
            cls(n_iter=0).fit(flipped)

    def test_warm_start_round_trip(
        self, cls: Callable[..., LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """A fit warm-started from its own worker state gives the same labels."""
        first = cls().fit(flipped)
        again = cls().fit(flipped, init=first.worker_state())
        assert again.labels_.tolist() == first.labels_.tolist()

    def test_warm_start_unknown_worker_raises(
        self, cls: Callable[..., LabelEstimator], flipped: LabelMatrix
    ) -> None:
        """Warm-start state for a worker not in the matrix is refused."""
        first = cls().fit(flipped)
        state: dict[Hashable, NDArray[np.float64]] = {
            "ghost": next(iter(first.worker_state().values()))
        }
        with pytest.raises(QualityInputError, match="worker: unknown id 'ghost'"):
            cls().fit(flipped, init=state)
