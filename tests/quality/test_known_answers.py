"""Known answers on toy cases worked by hand, one class per method."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import digamma

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
from labelshare.quality.bcc import dirichlet_mle

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

    def test_fixed_prior_is_reported(self, flipped: LabelMatrix) -> None:
        """Without learn_prior the prior used is the hand-set one."""
        bcc = BCC(diagonal_prior=4.0, off_diagonal_prior=0.25).fit(flipped)
        np.testing.assert_array_equal(bcc.confusion_prior_, [[4.0, 0.25], [0.25, 4.0]])

    def test_bad_learn_prior_raises(self, flipped: LabelMatrix) -> None:
        """learn_prior must be a boolean, named in the error."""
        with pytest.raises(QualityInputError, match="learn_prior: must be True or False"):
            BCC(learn_prior="yes").fit(flipped)  # type: ignore[arg-type]


class TestDirichletMLE:
    @pytest.mark.parametrize(
        "alpha", [[[3.0, 0.5], [0.5, 3.0]], [[1.2, 0.5, 0.2], [0.1, 7.0, 2.0], [0.3, 0.3, 0.3]]]
    )
    def test_recovers_the_dirichlet_from_its_mean_logs(self, alpha: list[list[float]]) -> None:
        """E[log p] of Dir(a) is digamma(a) - digamma(sum a); the estimate inverts it."""
        a = np.array(alpha)
        mean_log = digamma(a) - digamma(a.sum(axis=1, keepdims=True))
        np.testing.assert_allclose(dirichlet_mle(mean_log, np.ones_like(a)), a, rtol=1e-4)


class TestBCCLearnedPrior:
    def test_learned_prior_solves_the_type_ii_equation(self, flipped: LabelMatrix) -> None:
        """At convergence digamma(a_kl) - digamma(sum_l a_kl) is the mean over the workers
        (plus the hand-set prior as one more) of E[log pi_wkl] under their posteriors."""
        bcc = BCC(learn_prior=True, tol=1e-10, n_iter=500).fit(flipped)
        prior = bcc.confusion_prior_
        K = flipped.n_classes
        counts = np.zeros((flipped.n_workers, K, K))  # [w, truth k, answer l]
        for t, w, label in zip(flipped.tasks, flipped.workers, flipped.labels, strict=True):
            counts[w, :, label] += bcc.probas_[t]
        post = counts + prior
        expected_log = digamma(post) - digamma(post.sum(axis=2, keepdims=True))
        start = np.array([[3.0, 0.5], [0.5, 3.0]])
        start_log = digamma(start) - digamma(start.sum(axis=1, keepdims=True))
        mean_log = (expected_log.sum(axis=0) + start_log) / (flipped.n_workers + 1)
        lhs = digamma(prior) - digamma(prior.sum(axis=1, keepdims=True))
        np.testing.assert_allclose(lhs, mean_log, atol=1e-6)
        assert bcc.labels_.tolist() == TRUTH

    def test_few_agreeing_workers_keep_a_finite_prior(self) -> None:
        """Two workers who agree: the learned prior stays near the hand-set one and the
        fit converges (warnings are errors here) instead of growing without bound."""
        m = LabelMatrix.from_arrays([0, 0, 1], ["w1", "w2", "w1"], ["pos", "pos", "neg"])
        bcc = BCC(learn_prior=True).fit(m)
        assert bcc.confusion_prior_.max() < 10.0
        assert bcc.labels_.tolist() == [m.class_index("pos"), m.class_index("neg")]

    def test_single_class_has_nothing_to_learn(self) -> None:
        """With one class the prior stays the hand-set one and every task gets it."""
        m = LabelMatrix.from_arrays([0, 0, 1], ["a", "b", "a"], ["x", "x", "x"])
        bcc = BCC(learn_prior=True).fit(m)
        assert bcc.probas_.tolist() == [[1.0], [1.0]]
        assert bcc.confusion_prior_.tolist() == [[3.0]]

    def test_learns_a_stronger_diagonal_from_accurate_workers(self) -> None:
        """Ten workers right on all 20 tasks: the learned correct-answer pseudo-count
        rises above the hand-set 3 and the wrong-answer one falls below 0.5."""
        truth = [t % 2 for t in range(20)]
        tasks = [t for t in range(20) for _ in range(10)]
        workers = [w for _ in range(20) for w in range(10)]
        labels = [truth[t] for t in tasks]
        bcc = BCC(learn_prior=True).fit(LabelMatrix.from_arrays(tasks, workers, labels))
        assert np.all(np.diag(bcc.confusion_prior_) > 3.0)
        assert bcc.confusion_prior_[0, 1] < 0.5 and bcc.confusion_prior_[1, 0] < 0.5
        assert bcc.labels_.tolist() == truth
