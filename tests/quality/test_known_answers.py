"""Known answers on toy cases worked by hand, one class per method."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import (
    BCC,
    GLAD,
    MACE,
    ConvergenceWarning,
    DawidSkene,
    LabelMatrix,
    MajorityVote,
    OneCoinDawidSkene,
    QualityInputError,
    WeightedVote,
    loo_quality_weights,
)

TRUTH = [0, 0, 1, 1]


class TestMajorityVote:
    def test_vote_shares_and_lowest_index_tie_break(self, tie: LabelMatrix) -> None:
        """Task x (cat vs dog, 1:1) ties to 'cat' (index 0); task y is 2/3 dog."""
        mv = MajorityVote().fit(tie)
        np.testing.assert_allclose(mv.probas_, [[0.5, 0.5], [1 / 3, 2 / 3]])
        assert mv.labels_.tolist() == [0, 1]

    def test_loo_is_share_of_other_votes(self, tie: LabelMatrix) -> None:
        """On task y the cat vote sees 0 of 2 others agree, each dog vote 1 of 2."""
        q = loo_quality_weights(MajorityVote().fit(tie), tie)
        rows_y = tie.tasks == tie.task_index("y")
        assert sorted(q[rows_y].tolist()) == [0.0, 0.5, 0.5]

    def test_init_raises(self, tie: LabelMatrix) -> None:
        """Votes have no state to warm-start from."""
        with pytest.raises(QualityInputError, match="init: MajorityVote has no per-worker state"):
            MajorityVote().fit(tie, init={})


class TestWeightedVote:
    def test_given_weights(self, tie: LabelMatrix) -> None:
        """With weight 3 for a (cat on x), task x is 3:1 for cat."""
        wv = WeightedVote(weights={"a": 3.0}).fit(tie)
        np.testing.assert_allclose(wv.probas_[0], [0.75, 0.25])

    def test_agreement_weights(self, flipped: LabelMatrix) -> None:
        """Without weights, a and b agree with the majority always, c never."""
        wv = WeightedVote().fit(flipped)
        assert wv.skills_.tolist() == [1.0, 1.0, 0.0]
        assert wv.labels_.tolist() == TRUTH

    def test_negative_weight_raises(self, tie: LabelMatrix) -> None:
        """A negative weight is refused, naming the worker."""
        with pytest.raises(QualityInputError, match=r"weights\['a'\]: must be finite and >= 0"):
            WeightedVote(weights={"a": -1.0}).fit(tie)


class TestDawidSkene:
    def test_learns_the_flip(self, flipped: LabelMatrix) -> None:
        """a and b get the identity confusion, c the swap, and labels are the truth."""
        ds = DawidSkene().fit(flipped)
        assert ds.labels_.tolist() == TRUTH
        np.testing.assert_allclose(ds.confusions_[0], np.eye(2), atol=1e-6)
        np.testing.assert_allclose(ds.confusions_[2], [[0, 1], [1, 0]], atol=1e-6)
        np.testing.assert_allclose(ds.priors_, [0.5, 0.5], atol=1e-6)

    def test_smoothing_is_map_pseudo_count(self, flipped: LabelMatrix) -> None:
        """At convergence a's truth-0 row is (soft count + 1) / (soft total + 2)."""
        ds = DawidSkene(smoothing=1.0).fit(flipped)
        p0 = ds.probas_[:, 0]  # a answered 0 on t1, t2 and 1 on t3, t4
        expected = np.array([p0[0] + p0[1] + 1, p0[2] + p0[3] + 1]) / (p0.sum() + 2)
        np.testing.assert_allclose(ds.confusions_[0, 0], expected, atol=1e-4)
        assert ds.confusions_[0, 0, 0] < 1.0

    def test_negative_smoothing_raises(self, flipped: LabelMatrix) -> None:
        """Negative smoothing is refused, naming the parameter."""
        with pytest.raises(QualityInputError, match="smoothing: must be finite and >= 0"):
            DawidSkene(smoothing=-1.0).fit(flipped)

    def test_loo_matches_posterior_without_the_label(self, flipped: LabelMatrix) -> None:
        """The weight equals the normalised prior times the other labels' likelihoods."""
        ds = DawidSkene(smoothing=1.0).fit(flipped)
        q = loo_quality_weights(ds, flipped)
        for i in range(flipped.n_labels):
            t = flipped.tasks[i]
            post = ds.priors_.copy()
            for j in np.flatnonzero(flipped.tasks == t):
                if j != i:
                    post = post * ds.confusions_[flipped.workers[j], :, flipped.labels[j]]
            assert q[i] == pytest.approx(post[flipped.labels[i]] / post.sum(), rel=1e-9)


class TestOneCoinDawidSkene:
    def test_skills(self, flipped: LabelMatrix) -> None:
        """a and b are right on every label, c on none."""
        ods = OneCoinDawidSkene().fit(flipped)
        np.testing.assert_allclose(ods.skills_, [1.0, 1.0, 0.0], atol=1e-6)
        assert ods.labels_.tolist() == TRUTH


class TestGLAD:
    def test_abilities_separate_the_adversary(self, flipped: LabelMatrix) -> None:
        """c's ability is negative, a's and b's positive; labels are the truth."""
        glad = GLAD().fit(flipped)
        assert glad.skills_[2] < 0 < min(glad.skills_[0], glad.skills_[1])
        assert glad.labels_.tolist() == TRUTH
        assert glad.difficulties_.shape == (4,)

    def test_bad_precision_raises(self, flipped: LabelMatrix) -> None:
        """Prior precision must be positive."""
        with pytest.raises(QualityInputError, match="prior_precision: must be finite and > 0"):
            GLAD(prior_precision=0.0).fit(flipped)


class TestMACE:
    def test_spammer_is_found(self) -> None:
        """A worker who always answers 0 gets a low theta and a spam mass on 0."""
        truth = [0, 1, 0, 1, 0, 1]
        tasks = [t for t in range(6) for _ in range(3)]
        workers = ["a", "b", "s"] * 6
        labels = [x for t in truth for x in (t, t, 0)]
        m = LabelMatrix.from_arrays(tasks, workers, labels)
        mace = MACE().fit(m)
        assert mace.labels_.tolist() == truth
        assert mace.skills_[2] < 0.5 < min(mace.skills_[0], mace.skills_[1])
        assert mace.spam_distributions_[2, 0] > 0.5

    def test_posterior_is_prior_times_confusions(self) -> None:
        """Each task's posterior is the uniform prior times its labels' confusion entries,
        normalised (the two-table E-step agrees with the full confusion matrices)."""
        tasks = [0, 0, 0, 1, 1, 2, 2, 2]
        workers = ["a", "b", "c", "a", "c", "a", "b", "c"]
        labels = [0, 0, 2, 1, 1, 2, 0, 2]
        m = LabelMatrix.from_arrays(tasks, workers, labels)
        mace = MACE(n_iter=3, tol=0.0)
        with pytest.warns(ConvergenceWarning):
            mace.fit(m)
        for t in range(m.n_tasks):
            post = np.full(m.n_classes, 1 / m.n_classes)
            for i in np.flatnonzero(m.tasks == t):
                post = post * mace.confusions_[m.workers[i], :, m.labels[i]]
            np.testing.assert_allclose(mace.probas_[t], post / post.sum(), rtol=1e-9)

    def test_confusions_have_the_mace_form(self) -> None:
        """P(l | k) = theta [l = k] + (1 - theta) xi[l]: off the diagonal, a column of a
        worker's confusion matrix is the same for every true class."""
        tasks = [t for t in range(6) for _ in range(3)]
        workers = ["a", "b", "c"] * 6
        labels = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 1, 1, 2, 2, 2, 0]
        mace = MACE().fit(LabelMatrix.from_arrays(tasks, workers, labels))
        conf = mace.confusions_
        for k, k2, col in [(0, 1, 2), (1, 2, 0), (0, 2, 1)]:
            np.testing.assert_allclose(conf[:, k, col], conf[:, k2, col], rtol=1e-12)
        assert np.all(np.diagonal(conf, axis1=1, axis2=2) > conf[:, 1, 0][:, None])

    def test_bad_prior_raises(self, flipped: LabelMatrix) -> None:
        """Priors must be positive."""
        with pytest.raises(QualityInputError, match="strategy_prior: must be finite and > 0"):
            MACE(strategy_prior=0.0).fit(flipped)


class TestBCC:
    def test_posterior_mean_confusion(self, flipped: LabelMatrix) -> None:
        """a's truth-0 row is (2 + 3, 0 + 0.5) / 5.5 at the one-hot posterior."""
        bcc = BCC().fit(flipped)
        assert bcc.labels_.tolist() == TRUTH
        np.testing.assert_allclose(bcc.confusions_[0, 0], [5 / 5.5, 0.5 / 5.5], atol=1e-3)

    def test_bad_prior_raises(self, flipped: LabelMatrix) -> None:
        """Priors must be positive."""
        with pytest.raises(QualityInputError, match="diagonal_prior: must be finite and > 0"):
            BCC(diagonal_prior=-2.0).fit(flipped)
