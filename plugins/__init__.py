"""Discovery of recommender plugins through the `pathwise.recommenders` entry-point group."""
