"""The package's public names and the estimator factory."""

from __future__ import annotations

import pytest

import labelshare.quality as quality
from labelshare.quality import AUTO_METHOD, METHODS, DawidSkene, QualityInputError, make_estimator


class TestExports:
    def test_all_names_resolve(self) -> None:
        """Every name in __all__ exists and every public re-export is listed."""
        for name in quality.__all__:
            assert hasattr(quality, name), name
        public = {n for n in vars(quality) if not n.startswith("_")}
        modules = {n for n, v in vars(quality).items() if type(v).__name__ == "module"}
        assert public - modules == set(quality.__all__)


class TestMakeEstimator:
    def test_by_name_with_params(self) -> None:
        """A short name and keyword parameters build that estimator."""
        est = make_estimator("ds", smoothing=0.5)
        assert isinstance(est, DawidSkene)
        assert est.get_params()["smoothing"] == 0.5

    def test_auto_is_the_documented_default(self) -> None:
        """'auto' builds the class named by AUTO_METHOD."""
        assert type(make_estimator("auto")) is METHODS[AUTO_METHOD]

    def test_unknown_method_raises(self) -> None:
        """An unknown name lists the known ones."""
        with pytest.raises(QualityInputError, match="method: unknown 'em'"):
            make_estimator("em")

    def test_unknown_param_raises(self) -> None:
        """An unknown hyperparameter is refused."""
        with pytest.raises(QualityInputError, match="params:"):
            make_estimator("mv", n_iter=3)
