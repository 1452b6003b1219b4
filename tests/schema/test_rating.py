"""Known answers for the rating kind."""

from __future__ import annotations

import pytest

from labelshare.schema import InvalidLabel, InvalidSchema, RatingSchema, parse_schema


@pytest.fixture
def stars() -> RatingSchema:
    schema = parse_schema({"kind": "rating", "max_rating": 5})
    assert isinstance(schema, RatingSchema)
    return schema


class TestRatingSchema:
    def test_categories_are_the_ratings_as_text(self, stars: RatingSchema) -> None:
        """The categories of a 1..5 rating are "1" to "5"."""
        assert stars.categories == ("1", "2", "3", "4", "5")

    @pytest.mark.parametrize(
        ("max_rating", "message"),
        [
            (1, r"^max_rating: input should be greater than or equal to 2"),
            (101, r"^max_rating: input should be less than or equal to 100"),
            (True, r"^max_rating: input should be a valid integer, got True"),
            ("5", r"^max_rating: input should be a valid integer, got '5'"),
        ],
    )
    def test_bad_scales_are_refused(self, max_rating: object, message: str) -> None:
        """K must be an integer from 2 to 100."""
        with pytest.raises(InvalidSchema, match=message):
            parse_schema({"kind": "rating", "max_rating": max_rating})


class TestRatingValue:
    def test_a_rating_in_range_is_accepted(self, stars: RatingSchema) -> None:
        """Ratings 1 and K are both accepted."""
        assert stars.validate(1) == 1
        assert stars.validate(5) == 5

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (0, r"^value: rating 0 is outside 1\.\.5$"),
            (6, r"^value: rating 6 is outside 1\.\.5$"),
            (True, r"^value: must be an integer, got a boolean$"),
            (3.0, r"^value: must be an integer, got a number$"),
        ],
    )
    def test_bad_ratings_are_refused(
        self, stars: RatingSchema, value: object, message: str
    ) -> None:
        """Ratings outside 1..K, booleans and floats are refused."""
        with pytest.raises(InvalidLabel, match=message):
            stars.validate(value)

    def test_text_cells_are_read_as_integers(self, stars: RatingSchema) -> None:
        """A CSV cell " 4 " is read as the integer 4."""
        assert stars.value_from_text(" 4 ") == 4

    def test_text_cells_that_are_not_integers_are_refused(self, stars: RatingSchema) -> None:
        """A CSV cell "4.5" is not a rating."""
        with pytest.raises(InvalidLabel, match=r"^value: '4\.5' is not an integer$"):
            stars.value_from_text("4.5")
